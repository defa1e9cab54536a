package i18n

// binderTexts are the printed binder's words: nb, sv, da, en.
var binderTexts = map[string][4]string{}
