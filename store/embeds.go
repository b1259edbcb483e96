package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Embed is a widget an organization puts on its own website: one of its public animals
// (Kind "animal") or its profile's public animals ("profile"), framed only by the allowed
// origins.
type Embed struct {
	ID             uuid.UUID
	PublicID       string
	OrgID          uuid.UUID
	Kind           string
	AnimalID       *uuid.UUID
	AllowedOrigins []string
	CreatedBy      uuid.UUID
	CreatedAt      time.Time

	// Read with the embed, for showing it: the animal's public ID, and its name ("" when it
	// has none, or the organization may no longer see it).
	AnimalPublicID string
	AnimalName     string
}

// InsertEmbed records an embed of the transaction's organization.
func InsertEmbed(ctx context.Context, tx pgx.Tx, e Embed) error {
	_, err := tx.Exec(ctx, `INSERT INTO embeds (id, public_id, org_id, kind, animal_id, allowed_origins, created_by)
		VALUES ($1, $2, app_org_id(), $3, $4, $5, $6)`, e.ID, e.PublicID, e.Kind, e.AnimalID, e.AllowedOrigins, e.CreatedBy)
	if err != nil {
		return fmt.Errorf("insert embed: %w", err)
	}
	return nil
}

const embedSelect = `SELECT e.id, e.public_id, e.org_id, e.kind::text, e.animal_id, e.allowed_origins, e.created_by, e.created_at,
		coalesce((SELECT r.public_id FROM animal_ref(e.animal_id) r), ''), coalesce(c.name, '')
	FROM embeds e LEFT JOIN animal_card c ON c.id = e.animal_id`

func scanEmbed(row pgx.Row) (Embed, error) {
	var e Embed
	err := row.Scan(&e.ID, &e.PublicID, &e.OrgID, &e.Kind, &e.AnimalID, &e.AllowedOrigins, &e.CreatedBy, &e.CreatedAt,
		&e.AnimalPublicID, &e.AnimalName)
	return e, notFound(err)
}

// EmbedByPublicID reads one of the transaction's organization's embeds.
func EmbedByPublicID(ctx context.Context, q Querier, publicID string) (Embed, error) {
	e, err := scanEmbed(q.QueryRow(ctx, embedSelect+` WHERE e.public_id = $1 AND e.org_id = app_org_id()`, publicID))
	if err != nil && !errors.Is(err, ErrNotFound) {
		return Embed{}, fmt.Errorf("read embed: %w", err)
	}
	return e, err
}

// EmbedsOfOrganization lists the transaction's organization's embeds, oldest first.
func EmbedsOfOrganization(ctx context.Context, q Querier) ([]Embed, error) {
	rows, err := q.Query(ctx, embedSelect+` WHERE e.org_id = app_org_id() ORDER BY e.created_at, e.id`)
	if err != nil {
		return nil, fmt.Errorf("list embeds: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Embed, error) { return scanEmbed(r) })
	if err != nil {
		return nil, fmt.Errorf("list embeds: %w", err)
	}
	return out, nil
}

// CountEmbeds counts the transaction's organization's embeds.
func CountEmbeds(ctx context.Context, q Querier) (int, error) {
	var n int
	if err := q.QueryRow(ctx, `SELECT count(*) FROM embeds WHERE org_id = app_org_id()`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count embeds: %w", err)
	}
	return n, nil
}

// DeleteEmbed deletes one of the transaction's organization's embeds; its widget is gone
// with it. One not found is ErrNotFound.
func DeleteEmbed(ctx context.Context, tx pgx.Tx, publicID string) error {
	tag, err := tx.Exec(ctx, `DELETE FROM embeds WHERE public_id = $1 AND org_id = app_org_id()`, publicID)
	if err != nil {
		return fmt.Errorf("delete embed: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return nil
}

// Widget is what a widget page needs of its embed, read for anyone.
type Widget struct {
	ID             uuid.UUID
	Kind           string
	OrgID          uuid.UUID
	OrgPublicID    string
	OrgName        string
	AnimalID       uuid.UUID // uuid.Nil for a profile
	AnimalPublicID string
	AllowedOrigins []string
}

// WidgetByPublicID reads the embed a widget page is addressed by, whoever asks
// (embed_for_widget): only while it can show something. Otherwise, or for no embed, it is
// ErrNotFound.
func WidgetByPublicID(ctx context.Context, q Querier, publicID string) (Widget, error) {
	var (
		w        Widget
		animalID *uuid.UUID
		animal   *string
	)
	err := q.QueryRow(ctx, `SELECT id, kind::text, org_id, org_public_id, org_name, animal_id, animal_public_id, allowed_origins
		FROM embed_for_widget($1)`, publicID).
		Scan(&w.ID, &w.Kind, &w.OrgID, &w.OrgPublicID, &w.OrgName, &animalID, &animal, &w.AllowedOrigins)
	switch err = notFound(err); {
	case errors.Is(err, ErrNotFound):
		return Widget{}, err
	case err != nil:
		return Widget{}, fmt.Errorf("read widget: %w", err)
	}
	if animalID != nil && animal != nil {
		w.AnimalID, w.AnimalPublicID = *animalID, *animal
	}
	return w, nil
}
