package web

// The paths of the pages that emails, text messages and in-app notifications link to. Every
// link a message carries is one of these, so that it opens a page where the person can act.

// TransferPath is an offer's page: the animal, and accept or decline.
func TransferPath(publicID string) string { return "/transfers/" + publicID }

// OrderPath is an order's page, for either party: where the sale stands, and what to do next.
func OrderPath(publicID string) string { return "/orders/" + publicID }

// AnimalPath is a public animal's page: its record, photos and pedigree chart.
func AnimalPath(publicID string) string { return "/animals/" + publicID }

// BreederPath is an organization's public profile: its public animals and active listings.
func BreederPath(publicID string) string { return "/breeders/" + publicID }

// EmbedPath is an embed's widget page, which a breeder's own site frames.
func EmbedPath(publicID string) string { return "/embed/" + publicID }

// BillingPath is the organization's billing page: its plan, what is still to pay, and the
// buttons that open Stripe's pages to change the card or pay an invoice.
const BillingPath = "/billing"

// CertificatePath is a pedigree certificate's page, for its organization: where it stands,
// its PDF, and its public check.
func CertificatePath(serial string) string { return "/certificates/" + serial }

// ExportPath is an export's page: how far it has gone, then its download until it expires,
// or why it failed.
func ExportPath(publicID string) string { return "/exports/" + publicID }

// ImportPath is an import's page: its stage, what its check found row by row, and the
// buttons that apply or cancel it.
func ImportPath(publicID string) string { return "/imports/" + publicID }

// PersonalExportPath is the page of a person's own data export: its download once ready.
func PersonalExportPath(publicID string) string { return "/me/exports/" + publicID }

// DeletionPath is the page of a person's account deletion: when the erasure happens, what
// becomes of their organizations, and the button that keeps the account.
const DeletionPath = "/me/deletion"

// InvitationPath is an invitation's page, which its token opens: join the organization.
func InvitationPath(token string) string { return "/invitations/accept?token=" + token }
