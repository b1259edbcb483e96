package imports_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/reptidex/reptidex/imports"
)

// Whatever the file, the dry run answers a report or says why the file cannot be read; it
// never panics, counts no more valid rows than rows, lists its problems by line, and orders
// the rows parents first.
func FuzzReadFile(f *testing.F) {
	f.Add([]byte("breeder_id,name,species,sex,hatch_date,genetics,sire,dam\n" + "BP-1,,Ball Python,male,2020-01-01,Pastel,,\nBP-2,,Ball Python,female,2021-01-01,het Clown,BP-1,\n"))
	f.Add([]byte("\xef\xbb\xbfSerial,Title,Category,Sex,Dob,Traits\r\nA1,\"Ada\nLovelace\",Ball Pythons,F,05/2024,Pastle\r\n"))
	f.Add([]byte("breeder_id,species,sire,dam\na,ball-python,b,\nb,ball-python,a,\na,ball-python,,\n"))
	f.Add([]byte("id,name,species,sex,identifiers,sire_id,dam_id\nx,'=1,ball-python,male,{\"breeder_id\":\"k\"},x,\n"))
	species := catalogues(&testing.T{})
	f.Fuzz(func(t *testing.T, file []byte) {
		got, err := imports.ReadFile(bytes.NewReader(file), nil, species)
		var bad *imports.UnreadableError
		if err != nil {
			if !errors.As(err, &bad) {
				t.Fatalf("an error that is not why the file cannot be read: %v", err)
			}
			return
		}
		r := got.Report
		if r.Valid > r.Rows || r.Valid != len(got.Records) || len(r.Problems) > r.ProblemCount {
			t.Fatalf("counts do not add up: %+v", r)
		}
		for i := 1; i < len(r.Problems); i++ {
			if r.Problems[i].Line < r.Problems[i-1].Line {
				t.Fatalf("problems out of line order: %+v", r.Problems)
			}
		}
		seen := map[string]bool{}
		for _, rec := range got.Records {
			if seen[rec.Key] {
				t.Fatalf("key %q twice among the valid rows", rec.Key)
			}
			seen[rec.Key] = true
		}
		inFile := seen
		placed := map[string]bool{}
		for _, rec := range got.Records {
			for _, p := range []string{rec.Sire, rec.Dam} {
				if p != "" && inFile[p] && !placed[p] {
					t.Fatalf("row %q before its parent %q", rec.Key, p)
				}
			}
			placed[rec.Key] = true
		}
	})
}
