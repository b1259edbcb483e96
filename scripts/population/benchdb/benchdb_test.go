package benchdb

import (
	"testing"

	"github.com/google/uuid"

	"github.com/reptidex/reptidex/domain/lineage"
)

func TestCheckLoopbackDB(t *testing.T) {
	for _, u := range []string{
		"postgres://postgres@127.0.0.1:5432/reptidex_bench?sslmode=disable",
		"postgresql://u@localhost/db", "postgres://u@[::1]:5432/db", "postgres:///db?host=/var/run/postgresql",
		"postgres://u@127.9.9.9/db",
	} {
		if err := CheckLoopbackDB(u); err != nil {
			t.Errorf("CheckLoopbackDB(%q) = %v, want nil", u, err)
		}
	}
	for _, u := range []string{
		"postgres://u@10.0.0.1/db", "postgres://u@db.example.com/db", "http://127.0.0.1/db",
		"postgres://u@127.0.0.1/db?host=db.example.com", "postgres://u@localhost.example.com/db",
	} {
		if err := CheckLoopbackDB(u); err == nil {
			t.Errorf("CheckLoopbackDB(%q) = nil, want an error", u)
		}
	}
}

func TestDatabaseName(t *testing.T) {
	name, err := DatabaseName("postgres://postgres@127.0.0.1:5432/reptidex_bench?sslmode=disable")
	if err != nil || name != "reptidex_bench" {
		t.Fatalf("DatabaseName = %q, %v", name, err)
	}
	if _, err := DatabaseName("postgres://postgres@127.0.0.1:5432"); err == nil {
		t.Error("DatabaseName accepted a URL without a database")
	}
	u, err := WithDatabase("postgres://postgres@127.0.0.1:5432/reptidex_bench?sslmode=disable", "postgres")
	if err != nil || u != "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable" {
		t.Fatalf("WithDatabase = %q, %v", u, err)
	}
}

func TestEmail(t *testing.T) {
	if got := Email(7); got != "breeder-7@bench.reptidex.local" {
		t.Errorf("Email(7) = %q", got)
	}
}

func TestDense(t *testing.T) {
	ids := make([]uuid.UUID, 5)
	for i := range ids {
		ids[i] = uuid.New()
	}
	// Offspring first: 0 is the child of 3 and 4; 1 is the child of 0 and 2.
	sires := []uuid.UUID{ids[3], ids[0], uuid.Nil, uuid.Nil, uuid.Nil}
	dams := []uuid.UUID{ids[4], ids[2], uuid.Nil, uuid.Nil, uuid.Nil}
	p, err := Dense(ids, sires, dams)
	if err != nil {
		t.Fatal(err)
	}
	for k, id := range p.IDs {
		if p.Index[id] != int32(k) {
			t.Fatalf("Index[%s] = %d, want %d", id, p.Index[id], k)
		}
		if s := p.Sire[k]; s >= int32(k) {
			t.Fatalf("sire of %d is at %d", k, s)
		}
		if d := p.Dam[k]; d >= int32(k) {
			t.Fatalf("dam of %d is at %d", k, d)
		}
	}
	child := p.Index[ids[1]]
	if p.IDs[p.Sire[child]] != ids[0] || p.IDs[p.Dam[child]] != ids[2] {
		t.Error("parents of animal 1 lost in the renumbering")
	}
	if got := p.Closure(child, make([]bool, len(ids))); got != 4 {
		t.Errorf("Closure = %d known ancestors, want 4", got)
	}
	// The pedigree is accepted by the inbreeding engine as is.
	if _, err := lineage.NewPedigreeFromIndex(p.Sire, p.Dam); err != nil {
		t.Fatal(err)
	}

	if _, err := Dense(ids[:2], []uuid.UUID{uuid.Nil, ids[4]}, []uuid.UUID{uuid.Nil, uuid.Nil}); err == nil {
		t.Error("Dense accepted a parent without a row")
	}
	if _, err := Dense([]uuid.UUID{ids[0], ids[0]}, make([]uuid.UUID, 2), make([]uuid.UUID, 2)); err == nil {
		t.Error("Dense accepted a duplicate ID")
	}
}
