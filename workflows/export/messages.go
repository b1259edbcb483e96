package export

// The notifications an export sends: to the requester, whether it is ready to download.

import (
	"fmt"

	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/web"
)

// readyMessage tells the requester the export is ready, with its download link.
func readyMessage(in Input, r Ready, bytes int64) notify.Request {
	return notify.Request{DedupKey: "export/" + in.ExportID.String() + "/ready", Type: "export.outcome",
		OrgID: in.OrgID, UserID: in.RequestedBy,
		Title: "Your export is ready to download",
		Body: fmt.Sprintf("Every animal, pairing, clutch, transfer, sale and certificate of your organization, as CSV files "+
			"and one JSON document in a ZIP of %s. Download it until %s UTC:\n\n%s",
			Size(bytes), r.ExpiresAt.UTC().Format("2 January 2006 15:04"), r.URL),
		Link:        web.ExportPath(in.PublicID),
		ActionLabel: "Download the export",
		Data:        map[string]any{"export_id": in.PublicID, "download_url": r.URL, "expires_at": r.ExpiresAt.UTC()},
	}
}

// FailedMessage tells the requester the export could not be finished, and why. The sweep of
// exports left running sends it too, under the same key, so a requester is told once.
func FailedMessage(in Input, problem string) notify.Request {
	return notify.Request{DedupKey: "export/" + in.ExportID.String() + "/failed", Type: "export.outcome",
		OrgID: in.OrgID, UserID: in.RequestedBy,
		Title: "Your export could not be finished",
		Body:  problem,
		Link:  web.ExportPath(in.PublicID),
		Data:  map[string]any{"export_id": in.PublicID},
	}
}

// Size writes a size in bytes for people, as the messages and the export's page do.
func Size(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
