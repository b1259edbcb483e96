package importing

// The notifications an import sends to the breeder who uploaded it: what applying did, why
// it failed, or that it expired unapplied.

import (
	"fmt"

	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/web"
)

// appliedMessage tells the breeder the import is applied, and what it did.
func appliedMessage(in Input, a Totals) *notify.Request {
	body := fmt.Sprintf("%s: %d animals recorded new, %d updated.", name(in), a.Created, a.Updated)
	if a.Refused > 0 {
		body += fmt.Sprintf(" %d rows could not be imported; the import lists why, row by row.", a.Refused)
	}
	return &notify.Request{DedupKey: "import/" + in.ImportID.String() + "/applied", Type: "import.outcome",
		OrgID: in.OrgID, UserID: in.CreatedBy, Title: "Your import is done", Body: body,
		Link: web.ImportPath(in.PublicID), ActionLabel: "See the import",
		Data: map[string]any{"import_id": in.PublicID, "created": a.Created, "updated": a.Updated, "refused": a.Refused}}
}

// failedMessage tells the breeder the import could not go on, and why.
func failedMessage(in Input, problem string) *notify.Request {
	return &notify.Request{DedupKey: "import/" + in.ImportID.String() + "/failed", Type: "import.outcome",
		OrgID: in.OrgID, UserID: in.CreatedBy, Title: "Your import could not be finished", Body: name(in) + ": " + problem,
		Link: web.ImportPath(in.PublicID), Data: map[string]any{"import_id": in.PublicID}}
}

// expiredMessage tells the breeder an import was not applied in time and its file is gone.
func expiredMessage(in Input) *notify.Request {
	return &notify.Request{DedupKey: "import/" + in.ImportID.String() + "/expired", Type: "import.outcome",
		OrgID: in.OrgID, UserID: in.CreatedBy, Title: "Your import expired",
		Body: name(in) + " was not applied within 7 days of its upload, and the file is deleted. Upload it again to import it.",
		Link: web.ImportPath(in.PublicID), Data: map[string]any{"import_id": in.PublicID}}
}

// name names the import's file for people.
func name(in Input) string {
	if in.FileName != "" {
		return "The import of " + in.FileName
	}
	return "The import " + in.PublicID
}
