// Package certs is the cryptographic foundation of pedigree certificates that anyone can
// verify without trusting ReptiDex: the canonical JSON form of a certificate's snapshot
// (RFC 8785), its Ed25519 signature under a published key, the certificate record that
// carries the two together, and certificate serial numbers.
//
// A certificate's snapshot is signed over its canonical bytes, so anyone holding the record
// and the public key named by its key ID can recompute those bytes from the snapshot and
// check the signature (reptidex verify-certificate does this offline).
package certs
