package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	"unicode"

	"github.com/reptidex/reptidex/certs"
)

const verifyCertificateUsage = `Usage: reptidex verify-certificate --key <key file> [--pdf <PDF file>] <certificate file>

Checks a pedigree certificate offline, without asking ReptiDex: recomputes the canonical
bytes (RFC 8785) of the snapshot in the certificate record and checks its Ed25519
signature with the key the record names.

The certificate file is either the certificate record stored beside the certificate:
  {"snapshot": {...}, "key_id": "...", "signature": "..."}
or the answer of GET /api/v1/verify/{serial} saved to a file, whose "record" is checked
and whose snapshot_sha256 must be the snapshot's. With --pdf, the PDF's SHA-256 must be
the answer's pdf_sha256 (a bare record states no PDF hash). The signature covers the
snapshot, not the PDF: the PDF is only as trustworthy as the answer that states its hash.
The key file is either the keys as GET /api/v1/certificates/keys answers them, saved to a
file, or one Ed25519 public key in PEM (PKIX, "BEGIN PUBLIC KEY").

A bare record says only whether the signature holds. A saved answer also says how the
certificate stood when the server answered (its verdict: valid, superseded, revoked or
invalid, as of its checked_at); the signature covers the snapshot, not the verdict, so the
verdict is reported as the answer's word, beside the signature's result:
  revoked: the signature holds (...); the server's answer of <time> says: revoked — <reason>

Exit status:
  0  valid: the signature (and the PDF) hold, and the answer, if one was given, says valid
  1  invalid: the signature, the snapshot hash or the PDF does not hold, or the answer
     says invalid (the server's own check of its stored record failed)
  2  the check cannot be made: a file that cannot be read, a key file that holds no key,
     a PDF with a bare record, an answer whose verdict is missing or unknown, a wrong
     command line
  3  revoked: the signature holds, but the answer says ReptiDex revoked the certificate
  4  superseded: the signature holds, but the answer says a newer certificate replaced it
     (the animal changed hands); genuine, yet no longer the animal's current certificate

Flags:
`

// verifyOutcome is the exit status of verify-certificate.
const (
	verifyValid      = 0
	verifyInvalid    = 1
	verifyCannot     = 2
	verifyRevoked    = 3
	verifySuperseded = 4
)

// runVerifyCertificate runs `reptidex verify-certificate` and returns its exit status. It
// needs no configuration and no network.
func runVerifyCertificate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("verify-certificate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, verifyCertificateUsage)
		fs.PrintDefaults()
	}
	keyFile := fs.String("key", "", "the published keys (JSON) or one public key (PEM)")
	pdfFile := fs.String("pdf", "", "the certificate's PDF, checked against the verify answer's pdf_sha256")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return verifyValid
		}
		return verifyCannot
	}
	if *keyFile == "" || fs.NArg() != 1 {
		fs.Usage()
		return verifyCannot
	}
	verifier, err := readVerifier(*keyFile)
	if err != nil {
		fmt.Fprintln(stderr, "cannot verify:", err)
		return verifyCannot
	}
	doc, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		fmt.Fprintln(stderr, "cannot verify:", err)
		return verifyCannot
	}
	var pdf []byte
	if *pdfFile != "" {
		if pdf, err = os.ReadFile(*pdfFile); err != nil {
			fmt.Fprintln(stderr, "cannot verify:", err)
			return verifyCannot
		}
	}
	check, err := verifier.CheckOffline(doc, pdf)
	var invalid *certs.InvalidError
	switch {
	case errors.As(err, &invalid):
		fmt.Fprintln(stdout, "invalid:", err)
		return verifyInvalid
	case err != nil:
		fmt.Fprintln(stderr, "cannot verify:", err)
		return verifyCannot
	}
	signature := fmt.Sprintf("signed with key %s; snapshot SHA-256 %s", check.KeyID, check.SnapshotSHA256)
	if check.PDFChecked {
		signature += "; the PDF is the one the answer names"
	}
	if check.Answer == nil {
		fmt.Fprintf(stdout, "valid: %s\n", signature)
		fmt.Fprintln(stdout, "a record alone does not say whether the certificate is still current: check a saved verify answer for that")
		return verifyValid
	}
	said, code, err := answerSays(check.Answer)
	if err != nil {
		fmt.Fprintf(stdout, "the signature holds (%s)\n", signature)
		fmt.Fprintln(stderr, "cannot verify:", err)
		return verifyCannot
	}
	fmt.Fprintf(stdout, "%s: the signature holds (%s); %s\n", check.Answer.Verdict, signature, said)
	return code
}

// answerSays is what a saved verify answer says of the certificate, in words, and the exit
// status it calls for; an error when its verdict is missing or unknown.
func answerSays(a *certs.Answer) (string, int, error) {
	said := "the server's answer (undated) says: "
	if a.CheckedAt != nil {
		said = "the server's answer of " + a.CheckedAt.UTC().Format(time.RFC3339) + " says: "
	}
	switch a.Verdict {
	case certs.VerdictValid:
		return said + "valid, genuine and current", verifyValid, nil
	case certs.VerdictRevoked:
		said += "revoked"
		if a.Revoked != nil {
			said += " — " + printable(a.Revoked.Reason) + " (revoked " + a.Revoked.At.UTC().Format(time.RFC3339) + ")"
		}
		return said, verifyRevoked, nil
	case certs.VerdictSuperseded:
		said += "superseded"
		if a.SupersededBy != nil {
			said += " by " + printable(a.SupersededBy.Serial)
			if a.SupersededBy.At != nil {
				said += " on " + a.SupersededBy.At.UTC().Format(time.RFC3339)
			}
			if how, ok := successorStands[a.SupersededBy.Status]; ok {
				said += ", which " + how
			} else if a.SupersededBy.Status != "" {
				said += ", which is " + printable(a.SupersededBy.Status)
			}
		}
		return said, verifySuperseded, nil
	case certs.VerdictInvalid:
		return said + "invalid — the server's own check of its stored record failed; do not rely on it", verifyInvalid, nil
	case "":
		return "", verifyCannot, errors.New("the answer states no verdict: check the answer as the server gave it, or the bare record")
	}
	return "", verifyCannot, fmt.Errorf("the answer's verdict %q is not one this program knows", a.Verdict)
}

// successorStands says, by its status, how the certificate that superseded one stands.
var successorStands = map[string]string{
	"issuing":    "is still being issued",
	"issued":     "is the animal's current certificate",
	"failed":     "could not be issued: the new owner has no current certificate from this re-issue",
	"superseded": "has been superseded in its turn",
	"revoked":    "has been revoked",
}

// printable is text from the answer made safe to print to a terminal: control characters
// (line breaks, escape sequences) become spaces.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

// readVerifier reads a key file: one PEM public key, or the published keys as JSON.
func readVerifier(path string) (*certs.Verifier, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read key file: %w", err)
	}
	if bytes.HasPrefix(bytes.TrimSpace(data), []byte("-----BEGIN")) {
		pub, err := certs.ParsePublicKeyPEM(data)
		if err != nil {
			return nil, fmt.Errorf("key file %s: %w", path, err)
		}
		return certs.NewVerifier(pub)
	}
	v, err := certs.ParsePublishedKeys(data)
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	return v, nil
}
