package web

// The paths of the pages that emails, text messages and in-app notifications link to. Every
// link a message carries is one of these, so that it opens a page where the person can act.

// TransferPath is an offer's page: the animal, and accept or decline.
func TransferPath(publicID string) string { return "/transfers/" + publicID }
