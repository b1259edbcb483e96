package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

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

Prints "valid" and exits 0 when the signature (and the PDF) hold; prints "invalid" and why
and exits 1 when they do not; exits 2 when the check cannot be made (a file that cannot
be read, a key file that holds no key, a PDF with a bare record, a wrong command line).

Flags:
`

// verifyOutcome is the exit status of verify-certificate.
const (
	verifyValid   = 0
	verifyInvalid = 1
	verifyCannot  = 2
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
	fmt.Fprintf(stdout, "valid: signed with key %s; snapshot SHA-256 %s", check.KeyID, check.SnapshotSHA256)
	if check.PDFChecked {
		fmt.Fprint(stdout, "; the PDF is the one the answer names")
	}
	fmt.Fprintln(stdout)
	return verifyValid
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
