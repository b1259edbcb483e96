package certificate

// The notifications a certificate sends: to the requester, whether it was issued.

import (
	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/web"
)

// issuedMessage tells the requester the certificate is ready.
func issuedMessage(in Input) notify.Request {
	return notify.Request{DedupKey: "certificate/" + in.CertificateID.String() + "/issued", Type: "certificate.outcome",
		OrgID: in.OrgID, UserID: in.RequestedBy,
		Title:       "Pedigree certificate " + in.Serial + " is ready",
		Body:        "The certificate is signed and stored; download its PDF to print it, and anyone can check it by its serial.",
		Link:        web.CertificatePath(in.Serial),
		ActionLabel: "Download the certificate",
		Data:        map[string]any{"serial": in.Serial},
	}
}

// FailedMessage tells the requester the certificate could not be issued. The sweep of
// certificates left issuing sends it too, under the same key, so a requester is told once.
func FailedMessage(in Input) notify.Request {
	return notify.Request{DedupKey: "certificate/" + in.CertificateID.String() + "/failed", Type: "certificate.outcome",
		OrgID: in.OrgID, UserID: in.RequestedBy,
		Title: "Pedigree certificate " + in.Serial + " could not be issued",
		Body:  "Nothing was issued under this serial. Please request the certificate again.",
		Link:  web.CertificatePath(in.Serial),
		Data:  map[string]any{"serial": in.Serial},
	}
}
