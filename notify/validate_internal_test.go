package notify

import (
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

// The table's checks count characters, so a title of 200 CJK characters (600 bytes) fits
// and one character more does not; the same for the body's 5,000.
func TestValidate_CountsCharactersNotBytes(t *testing.T) {
	t.Parallel()
	ok := Request{DedupKey: "k", Type: "transfer.offered", UserID: uuid.New(), Title: "t"}
	cases := []struct {
		name        string
		title, body string
		field       string // the field refused; empty when valid
	}{
		{"a title of 200 CJK characters", strings.Repeat("蛇", 200), "", ""},
		{"a title of 201 CJK characters", strings.Repeat("蛇", 201), "", "title"},
		{"a title of 200 ASCII characters", strings.Repeat("a", 200), "", ""},
		{"a title of 201 ASCII characters", strings.Repeat("a", 201), "", "title"},
		{"a body of 5,000 CJK characters", "t", strings.Repeat("蛇", 5000), ""},
		{"a body of 5,001 CJK characters", "t", strings.Repeat("蛇", 5001), "body"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := ok
			r.Title, r.Body = c.title, c.body
			_, err := r.validate()
			if c.field == "" {
				require.NoError(t, err)
				return
			}
			ie, isInvalid := IsInvalid(err)
			require.True(t, isInvalid, "got %v", err)
			require.Equal(t, c.field, ie.Field)
		})
	}
}
