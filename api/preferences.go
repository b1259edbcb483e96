package api

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"slices"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/store"
)

type preferenceView struct {
	Type        string `json:"type"`
	Description string `json:"description"`
	NeedsAction bool   `json:"needs_action"`
	// The channels in use.
	Channels []notify.Channel `json:"channels" jsonschema:"enum=in_app,enum=email,enum=sms"`
	Defaults []notify.Channel `json:"defaults" jsonschema:"enum=in_app,enum=email,enum=sms"`
	Allowed  []notify.Channel `json:"allowed" jsonschema:"enum=in_app,enum=email,enum=sms"`
	// false: the defaults apply.
	Chosen bool `json:"chosen"`
}

func viewPreference(t notify.Type, chosen []string, ok bool) preferenceView {
	v := preferenceView{Type: t.Name, Description: t.Description, NeedsAction: t.NeedsAction,
		Channels: t.Defaults, Defaults: t.Defaults, Allowed: t.Allowed, Chosen: ok}
	if ok {
		v.Channels = []notify.Channel{}
		for _, c := range chosen {
			if t.Allows(notify.Channel(c)) {
				v.Channels = append(v.Channels, notify.Channel(c))
			}
		}
	}
	return v
}

type preferenceList struct {
	Items []preferenceView `json:"items"`
}

type setPreferenceRequest struct {
	Channels []string `json:"channels" jsonschema:"required,enum=in_app,enum=email,enum=sms"`
}

// listPreferences shows, for every notification type a person can choose for, the channels
// in use for the caller.
func (s *Server) listPreferences(w http.ResponseWriter, r *http.Request) error {
	out := preferenceList{Items: []preferenceView{}}
	err := s.withAccess(r, "", func(tx pgx.Tx, _ access) error {
		prefs, err := store.ChannelPreferences(r.Context(), tx)
		if err != nil {
			return err
		}
		for _, t := range notify.Types() {
			if t.Required {
				continue
			}
			chosen, ok := prefs[t.Name]
			out.Items = append(out.Items, viewPreference(t, chosen, ok))
		}
		return nil
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

// setPreference chooses the caller's channels for one notification type. SMS is only used
// once the caller's phone number is verified.
func (s *Server) setPreference(w http.ResponseWriter, r *http.Request) error {
	t, ok := notify.LookupType(chi.URLParam(r, "type"))
	if !ok || t.Required {
		return notFound("notification type")
	}
	var in setPreferenceRequest
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if in.Channels == nil {
		return invalid(FieldError{"channels", "is required (an empty list turns this type off)"})
	}
	var channels []string
	for _, name := range in.Channels {
		c, err := notify.ParseChannel(name)
		if err != nil {
			return invalid(FieldError{"channels", err.Error()})
		}
		if !t.Allows(c) {
			return invalid(FieldError{"channels", fmt.Sprintf("%s notifications are not sent by %s", t.Name, c)})
		}
		if !slices.Contains(channels, name) {
			channels = append(channels, name)
		}
	}
	if channels == nil {
		channels = []string{}
	}
	err := s.withAccess(r, "", func(tx pgx.Tx, _ access) error {
		return store.SetChannelPreference(r.Context(), tx, t.Name, channels)
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, viewPreference(t, channels, true))
}

var unsubscribePage = template.Must(template.New("unsubscribe").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>ReptiDex — email preferences</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#1f2a1f}
h1{color:#2f6b3a;font-size:1.4rem}button{background:#2f6b3a;color:#fff;border:0;border-radius:6px;padding:.7rem 1.2rem;font-size:1rem}</style>
</head><body><h1>ReptiDex</h1>
{{if .Done}}<p>You will no longer receive <strong>{{.Description}}</strong> by email.</p>
<p>You can choose again at any time in your notification preferences.</p>
{{else}}<p>Stop receiving <strong>{{.Description}}</strong> by email?</p>
<form method="post"><button type="submit">Unsubscribe</button></form>{{end}}
</body></html>`))

// unsubscribePrompt answers the unsubscribe link in an email: a page that asks to confirm,
// so that link scanners following it change nothing.
func (s *Server) unsubscribePrompt(w http.ResponseWriter, r *http.Request) error {
	_, t, err := s.unsubscribeToken(r)
	if err != nil {
		return err
	}
	return renderPage(w, unsubscribePage, map[string]any{"Description": t.Description})
}

// unsubscribe stops a notification type reaching the person of the token by email, without
// logging in: the confirmation form and one-click unsubscribe (RFC 8058) both post here.
func (s *Server) unsubscribe(w http.ResponseWriter, r *http.Request) error {
	u, t, err := s.unsubscribeToken(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	err = s.db.InTenant(ctx, store.Tenant{UserID: u.UserID}, func(tx pgx.Tx) error {
		if u.UserID == uuid.Nil {
			return store.UnsubscribeEmail(ctx, tx, u.Email, t.Name)
		}
		chosen, ok, err := store.ChannelPreference(ctx, tx, u.UserID, t.Name)
		if err != nil {
			return err
		}
		current := viewPreference(t, chosen, ok).Channels
		keep := []string{}
		for _, c := range current {
			if c != notify.Email {
				keep = append(keep, string(c))
			}
		}
		return store.SetChannelPreference(ctx, tx, t.Name, keep)
	})
	if err != nil {
		return err
	}
	return renderPage(w, unsubscribePage, map[string]any{"Done": true, "Description": t.Description})
}

func (s *Server) unsubscribeToken(r *http.Request) (notify.Unsubscribe, notify.Type, error) {
	u, err := s.links.ParseUnsubscribe(r.URL.Query().Get("token"))
	if errors.Is(err, notify.ErrBadToken) {
		return u, notify.Type{}, newProblem(kindMalformed, "This unsubscribe link is not valid; use the link from the email as it was sent.")
	}
	t, ok := notify.LookupType(u.Type)
	if !ok || t.Required {
		return u, t, newProblem(kindMalformed, "This unsubscribe link is not valid; use the link from the email as it was sent.")
	}
	return u, t, err
}

func renderPage(w http.ResponseWriter, page *template.Template, data any) error {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	return page.Execute(w, data)
}
