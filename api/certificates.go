package api

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// certificateKeys publishes the public keys pedigree certificates are verified with, so that
// anyone can check a certificate offline, without trusting this server at that moment.
func (s *Server) certificateKeys(w http.ResponseWriter, r *http.Request) error {
	body, err := json.Marshal(s.certKeys.Published())
	if err != nil {
		return fmt.Errorf("encode certificate keys: %w", err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, err = w.Write(body)
	return err
}
