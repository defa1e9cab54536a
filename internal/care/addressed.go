package care

import "slices"

// AddressedTo reports whether the announcement is for a user of units
// with the id: one of its units is hers (no units: every unit), and,
// when it names users, she is one of them. The shift bundle carries the
// announcements addressed to its worker, and the desk counts them as the
// ones she is to read.
func (a Announcement) AddressedTo(userID string, units []string) bool {
	if len(a.Users) > 0 && !slices.Contains(a.Users, userID) {
		return false
	}
	return len(a.Units) == 0 || slices.ContainsFunc(a.Units, func(u string) bool { return slices.Contains(units, u) })
}
