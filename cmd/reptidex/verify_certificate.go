package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/reptidex/reptidex/certs"
)

const verifyCertificateUsage = `Usage: reptidex verify-certificate --key <key file> <certificate record file>

Checks a pedigree certificate offline, without asking ReptiDex: recomputes the canonical
bytes (RFC 8785) of the snapshot in the certificate record and checks its Ed25519
signature with the key the record names.

The certificate record is the JSON document stored beside the certificate:
  {"snapshot": {...}, "key_id": "...", "signature": "..."}
The key file is either the keys as GET /api/v1/certificates/keys answers them, saved to a
file, or one Ed25519 public key in PEM (PKIX, "BEGIN PUBLIC KEY").

Prints "valid" and exits 0 when the signature holds; prints "invalid" and why and exits 1
when it does not; exits 2 when the check cannot be made (a file that cannot be read, a key
file that holds no key, a wrong command line).

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
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		fmt.Fprintln(stderr, "cannot verify:", err)
		return verifyCannot
	}
	record, err := certs.ParseRecord(data)
	if err != nil {
		fmt.Fprintln(stdout, "invalid:", err)
		return verifyInvalid
	}
	if err := verifier.VerifyRecord(record); err != nil {
		fmt.Fprintln(stdout, "invalid:", err)
		return verifyInvalid
	}
	canonical, _ := certs.CanonicalJSON(record.Snapshot) // VerifyRecord canonicalized it already
	sum := sha256.Sum256(canonical)
	fmt.Fprintf(stdout, "valid: signed with key %s; snapshot SHA-256 %s\n", record.KeyID, hex.EncodeToString(sum[:]))
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
