package app

import (
	"testing"

	"beredskap/app/shift"
	"beredskap/internal/care"
	"beredskap/internal/i18n"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

// TestComposedKeysExist checks the message keys the pages build from
// values (a wipe reason, a scenario) or pass through helpers, which the
// catalogue's own scan of the source cannot see.
func TestComposedKeysExist(t *testing.T) {
	keys := []string{"pin.save", "pin.saving", "unlock.submit", "unlock.busy", "login.submit", "login.busy",
		"form.saving", "dose.save", "note.save", "deviation.save", "sync.now", "sync.sending", "visit.status.none"}
	for _, st := range care.DoseStatuses() {
		keys = append(keys, "dose.status."+st)
	}
	for _, c := range DeviationCategories() {
		keys = append(keys, "deviation.category."+c)
	}
	for _, sv := range care.Severities() {
		keys = append(keys, "deviation.severity."+sv)
	}
	for _, st := range care.VisitStatuses() {
		keys = append(keys, "visit.status."+st, "visit.set."+st)
	}
	for _, rt := range care.RecordTypes() {
		keys = append(keys, "record.type."+string(rt))
	}
	for _, st := range []string{shift.OutboxWaiting, shift.OutboxSent, shift.OutboxQuarantined, shift.OutboxRejected} {
		keys = append(keys, "sync.state."+st)
	}
	for _, r := range []string{shift.WipeWrongPINs, shift.WipeExpired, shift.WipeLogout, shift.WipeRevoked} {
		keys = append(keys, "wipe."+r)
	}
	for _, r := range []string{shift.LockIdle, shift.LockButton, shift.LockClock} {
		keys = append(keys, "unlock.reason."+r)
	}
	for _, sc := range care.Scenarios() {
		keys = append(keys, "scenario."+string(sc))
	}
	for p := care.PriorityVital; p <= care.PriorityNormal; p++ {
		keys = append(keys, "priority."+string(rune('0'+p)))
	}
	for _, f := range care.FlagNames() {
		keys = append(keys, "priority.flag."+f)
	}
	keys = append(keys, "status.level.info", "status.level.important")
	for _, th := range shift.Themes() {
		keys = append(keys, "settings.theme."+th)
	}
	for _, r := range []care.Role{care.RoleWorker, care.RoleNurse, care.RoleCoordinator, care.RoleAdmin} {
		keys = append(keys, "admin.role."+string(r))
	}
	for _, k := range wire.FindingKinds() {
		keys = append(keys, "finding."+k, "finding.explain."+k)
	}
	for _, st := range []string{store.StateNew, store.StateEntered, store.StateVoid, store.StateQuarantined} {
		keys = append(keys, "office.state."+st)
	}
	for _, a := range []string{store.AuditLogin, store.AuditLoginFailed, store.AuditDevice, store.AuditBundle, store.AuditSync,
		store.AuditQuarantine, store.AuditEmergency, store.AuditReconcile, store.AuditExport, store.AuditFindingResolve,
		store.AuditPlanImport, store.AuditRoutine, store.AuditAnnouncement, store.AuditOutageStart, store.AuditOutageEnd,
		store.AuditUserAdd, store.AuditUserDisable, store.AuditUserReset, store.AuditDeviceRevoke, store.AuditBackup, store.AuditPurge,
		store.AuditDeviceLost, store.AuditExposureTick} {
		keys = append(keys, "audit.action."+a)
	}
	for _, lang := range i18n.Languages() {
		for _, k := range keys {
			if !i18n.Has(lang, k) {
				t.Errorf("%s lacks %q", lang, k)
			}
		}
	}
}
