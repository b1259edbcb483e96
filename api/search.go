package api

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/store"
)

type searchHitView struct {
	// Relevance, higher is better: twice the full-text rank plus the trigram similarity.
	// Comparable only within one search.
	Score  float32  `json:"score"`
	Animal cardView `json:"animal"`
}

type searchResponse struct {
	// Up to limit animals, best first; [] when none.
	Items []searchHitView `json:"items"`
	// Present only when more animals follow: pass it as cursor for the next page.
	NextCursor string `json:"next_cursor,omitempty"`
}

// searchMaxResults bounds how deep search pages: the best matches only, so that no cursor
// makes the database rank and skip an unbounded number of rows.
const searchMaxResults = 1000

// searchParams reads q (2 to 200 characters), species, limit and an opaque cursor, which
// cannot lead past the searchMaxResults best matches; each is a 400 naming the parameter
// when it is wrong.
func (s *Server) searchParams(r *http.Request) (q, species string, limit, offset int, err error) {
	q = strings.TrimSpace(r.URL.Query().Get("q"))
	if n := utf8.RuneCountInString(q); n < 2 || n > 200 {
		return "", "", 0, 0, badParam("q", "must be 2 to 200 characters")
	}
	if species = r.URL.Query().Get("species"); species != "" {
		if _, err := s.species.species(r.Context(), species, "species"); err != nil {
			return "", "", 0, 0, asParam(err)
		}
	}
	if limit, err = intParam(r, "limit", 20, 1, 100); err != nil {
		return "", "", 0, 0, err
	}
	if c := r.URL.Query().Get("cursor"); c != "" {
		n, ok := parseSearchCursor(c)
		if !ok {
			return "", "", 0, 0, badParam("cursor", "is not a cursor this API issued")
		}
		offset = n
	}
	if offset >= searchMaxResults {
		return "", "", 0, 0, badParam("cursor", fmt.Sprintf("search answers the %d best matches at most; refine q", searchMaxResults))
	}
	limit = min(limit, searchMaxResults-offset)
	return q, species, limit, offset, nil
}

// searchCursor is the opaque cursor of the search page starting at offset.
func searchCursor(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("o:" + strconv.Itoa(offset)))
}

// parseSearchCursor reads a cursor searchCursor could have issued, strictly: canonical
// base64 of "o:" and a whole number of at most four digits, without sign or leading zeros.
func parseSearchCursor(c string) (int, bool) {
	if len(c) > 16 {
		return 0, false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(c)
	digits, ok := strings.CutPrefix(string(b), "o:")
	if err != nil || !ok || base64.RawURLEncoding.EncodeToString(b) != c || digits == "" || len(digits) > 4 || (digits[0] == '0' && len(digits) > 1) {
		return 0, false
	}
	n := 0
	for _, d := range []byte(digits) {
		if d < '0' || d > '9' {
			return 0, false
		}
		n = n*10 + int(d-'0')
	}
	return n, true
}

func searchPage(hits []store.SearchHit, limit, offset int) searchResponse {
	out := searchResponse{Items: []searchHitView{}}
	if len(hits) > limit {
		hits = hits[:limit]
		if offset+limit < searchMaxResults {
			out.NextCursor = searchCursor(offset + limit)
		}
	}
	for _, h := range hits {
		out.Items = append(out.Items, searchHitView{Score: h.Rank, Animal: viewCard(h.Card)})
	}
	return out
}

// searchPublic finds public animals of every breeder by name, species and genetics; no
// account needed.
func (s *Server) searchPublic(w http.ResponseWriter, r *http.Request) error {
	q, species, limit, offset, err := s.searchParams(r)
	if err != nil {
		return err
	}
	hits, err := store.SearchPublic(r.Context(), s.db.Pool, q, species, limit+1, offset)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, searchPage(hits, limit, offset))
}

// searchOwn finds the caller's organization's animals, whatever their visibility.
func (s *Server) searchOwn(w http.ResponseWriter, r *http.Request) error {
	q, species, limit, offset, err := s.searchParams(r)
	if err != nil {
		return err
	}
	var out searchResponse
	err = s.withAccess(r, "", func(tx pgx.Tx, _ access) error {
		hits, err := store.SearchOwn(r.Context(), tx, q, species, limit+1, offset)
		if err != nil {
			return err
		}
		out = searchPage(hits, limit, offset)
		return nil
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}
