// Package personal is what ReptiDex holds about a person, for the person: the document of
// everything it holds about them (Document), which a job builds when they ask, and the
// erasure of their account once they delete it.
package personal

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/store"
)

// Format names the document, as its "format" field says.
const Format = "reptidex-personal-data"

// Document writes everything held about tx's user to w as one JSON document, streamed as it
// is read: its format and when it was made, then each section of store.PersonalDataSections
// in order: "account" the person's account, each other an array of items by when they
// happened ([] when none).
func Document(ctx context.Context, tx pgx.Tx, w io.Writer, made time.Time) error {
	bw := bufio.NewWriter(w)
	head, err := json.Marshal(map[string]any{"format": Format, "generated_at": made.UTC().Format(time.RFC3339)})
	if err != nil {
		return err
	}
	_, _ = bw.Write(head[:len(head)-1]) // a bufio.Writer keeps its first error, which Flush answers
	sections := store.PersonalDataSections
	current, first := -1, true
	// reach closes the section being written and opens each one up to i.
	reach := func(i int) {
		for current < i {
			if current >= 0 && sections[current] != "account" {
				_ = bw.WriteByte(']')
			} else if current >= 0 && first {
				_, _ = bw.WriteString("null") // no account: it was erased
			}
			current++
			_, _ = fmt.Fprintf(bw, ",%q:", sections[current]) // the bufio.Writer keeps the error for Flush
			if sections[current] != "account" {
				_ = bw.WriteByte('[')
			}
			first = true
		}
	}
	err = store.PersonalData(ctx, tx, func(section string, raw []byte) error {
		i := slices.Index(sections, section)
		if i < current {
			return fmt.Errorf("personal data out of order: %s after %s", section, sections[current])
		}
		reach(i)
		if !first {
			_ = bw.WriteByte(',')
		}
		first = false
		_, err := bw.Write(raw)
		return err
	})
	if err != nil {
		return err
	}
	reach(len(sections) - 1)
	if sections[current] != "account" {
		_ = bw.WriteByte(']')
	}
	_ = bw.WriteByte('}')
	return bw.Flush()
}
