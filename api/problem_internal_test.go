package api

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"
)

func TestWriteError_ValuesTheDatabaseRefusesAreBadInputNot500(t *testing.T) {
	t.Parallel()
	s := newDocTestServer(t, nil)
	for code, status := range map[string]int{
		"22021": http.StatusUnprocessableEntity, // a NUL or bytes that are not UTF-8
		"22001": http.StatusUnprocessableEntity, // too long for its column
		"54000": http.StatusUnprocessableEntity, // too large for an index row
		"23514": http.StatusUnprocessableEntity, // a check constraint
		"23505": http.StatusConflict,            // a unique key
		"23503": http.StatusConflict,            // a foreign key
		"42P01": http.StatusInternalServerError, // our own fault: stays a 500
	} {
		w := httptest.NewRecorder()
		s.writeError(w, httptest.NewRequest(http.MethodPost, "/x", nil), fmt.Errorf("insert: %w", &pgconn.PgError{Code: code, Message: "secret detail"}))
		require.Equal(t, status, w.Code, code)
		require.Equal(t, "application/problem+json", w.Header().Get("Content-Type"), code)
		require.NotContains(t, w.Body.String(), "secret detail", "the database's words are never shown")
	}
}
