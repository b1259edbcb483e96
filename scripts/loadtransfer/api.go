package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/reptidex/reptidex/scripts/loadgen"
)

// transferPage is one page of GET /api/v1/transfers.
type transferPage struct {
	Items []struct {
		ID               string `json:"id"`
		Status           string `json:"status"`
		ToOrganizationID string `json:"to_organization_id"`
	} `json:"items"`
	NextCursor string `json:"next_cursor"`
}

// incoming lists every transfer offered to the token's organization, page after page.
func incoming(ctx context.Context, api *loadgen.API, token string) ([]listed, error) {
	var all []listed
	cursor := ""
	for {
		path := "/api/v1/transfers?direction=incoming&limit=100"
		if cursor != "" {
			path += "&cursor=" + url.QueryEscape(cursor)
		}
		var page transferPage
		if err := api.Expect(ctx, http.StatusOK, &page, http.MethodGet, path, token, nil); err != nil {
			return nil, err
		}
		for _, it := range page.Items {
			all = append(all, listed{id: it.ID, status: it.Status, toOrgID: it.ToOrganizationID})
		}
		if page.NextCursor == "" {
			return all, nil
		}
		cursor = page.NextCursor
	}
}

// transferID reads the id of a transfer from an answer's body.
func transferID(body []byte) (string, error) {
	var v loadgen.CreatedID
	if err := json.Unmarshal(body, &v); err != nil || v.ID == "" {
		return "", fmt.Errorf("no transfer id in the answer %.200q", body)
	}
	return v.ID, nil
}
