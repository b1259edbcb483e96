package auth

import (
	"crypto/rand"
	"crypto/rsa"
	"testing"
	"time"
)

// BenchmarkVerify measures checking one access token, which every authenticated request pays.
func BenchmarkVerify(b *testing.B) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		b.Fatal(err)
	}
	ks, err := NewKeySet(key)
	if err != nil {
		b.Fatal(err)
	}
	iss := NewIssuer(ks, "reptidex", "reptidex-api", 15*time.Minute)
	tok, _, err := iss.Issue(Claims{UserID: "u", OrgID: "o", SessionID: "s"})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := iss.Verify(tok); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHashPassword measures one argon2id hash at the production parameters, which
// bounds how many registrations and logins a core can take.
func BenchmarkHashPassword(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := HashPassword("correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}
