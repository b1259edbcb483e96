package organizations_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/organizations"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/testkit"
	"github.com/reptidex/reptidex/testkit/registered"
)

func TestMain(m *testing.M) { testkit.Main(m) }

func ptr[T any](v T) *T { return &v }

func TestChanges_CheckRefusesTheFirstFieldOutOfItsBounds(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		c     organizations.Changes
		field string // empty: accepted
	}{
		{"nothing", organizations.Changes{}, ""},
		{"every field at its bounds", organizations.Changes{Name: ptr(strings.Repeat("é", 120)), COIWarningThreshold: ptr(1.0),
			TransferRemindAfterDays: ptr(89), TransferExpireAfterDays: ptr(90)}, ""},
		{"no reminder", organizations.Changes{TransferRemindAfterDays: ptr(0), TransferExpireAfterDays: ptr(1)}, ""},
		{"a threshold above 1", organizations.Changes{COIWarningThreshold: ptr(1.01)}, "coi_warning_threshold"},
		{"a negative threshold", organizations.Changes{COIWarningThreshold: ptr(-0.1)}, "coi_warning_threshold"},
		{"no expiry", organizations.Changes{TransferExpireAfterDays: ptr(0)}, "transfer_expire_after_days"},
		{"an expiry past 90 days", organizations.Changes{TransferExpireAfterDays: ptr(91)}, "transfer_expire_after_days"},
		{"a negative reminder", organizations.Changes{TransferRemindAfterDays: ptr(-1)}, "transfer_remind_after_days"},
		{"a reminder past 89 days", organizations.Changes{TransferRemindAfterDays: ptr(90)}, "transfer_remind_after_days"},
		{"a blank name", organizations.Changes{Name: ptr("   ")}, "name"},
		{"a name of 121 characters", organizations.Changes{Name: ptr(strings.Repeat("a", 121))}, "name"},
		{"the threshold first", organizations.Changes{Name: ptr(""), COIWarningThreshold: ptr(2.0)}, "coi_warning_threshold"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			err := c.c.Check()
			if c.field == "" {
				require.NoError(t, err)
				return
			}
			var field *organizations.FieldError
			require.ErrorAs(t, err, &field)
			require.Equal(t, c.field, field.Field)
		})
	}
}

// bundle is an organization in a test's own database.
type bundle struct {
	db    *store.DB
	owner store.User
	org   store.Organization
}

func setup(t *testing.T) bundle {
	t.Helper()
	db := testkit.DB(t)
	u, o := registered.Organization(t, db, registered.Queue(t, db), "settings")
	return bundle{db: db, owner: u, org: o}
}

func (b bundle) update(t *testing.T, c organizations.Changes) (organizations.Settings, error) {
	t.Helper()
	var out organizations.Settings
	ctx := context.Background()
	err := b.db.InTenant(ctx, store.Tenant{OrgID: b.org.ID, UserID: b.owner.ID}, func(tx pgx.Tx) error {
		var err error
		out, err = organizations.Update(ctx, tx, b.org.ID, c)
		return err
	})
	return out, err
}

func TestUpdate_ChangesWhatItNamesAndRecordsTheEvent(t *testing.T) {
	t.Parallel()
	b := setup(t)

	s, err := b.update(t, organizations.Changes{Name: ptr("  Noodle Farm  "), TransferExpireAfterDays: ptr(30)})
	require.NoError(t, err)
	require.Equal(t, organizations.Settings{PublicID: b.org.PublicID, Name: "Noodle Farm", COIWarningThreshold: 0.0625,
		TransferRemindAfter: 7 * 24 * time.Hour, TransferExpireAfter: 30 * 24 * time.Hour}, s)
	require.Equal(t, 7, s.RemindAfterDays())
	require.Equal(t, 30, s.ExpireAfterDays())

	ctx := context.Background()
	var evs []store.Event
	require.NoError(t, b.db.InTenant(ctx, store.Tenant{OrgID: b.org.ID}, func(tx pgx.Tx) error {
		evs, err = store.EventsOfAggregate(ctx, tx, "organization", b.org.PublicID)
		return err
	}))
	last := evs[len(evs)-1]
	require.Equal(t, "organization.updated", last.Type)
	var payload map[string]any
	require.NoError(t, json.Unmarshal(last.Payload, &payload))
	require.Equal(t, map[string]any{"id": b.org.PublicID, "name": "Noodle Farm", "coi_warning_threshold": 0.0625,
		"transfer_remind_after_days": 7.0, "transfer_expire_after_days": 30.0}, payload)
}

// A delay the change leaves as it is stays as stored, even one that is not a whole number
// of days; only a reminder before the expiry, as the change leaves them, is accepted.
func TestUpdate_KeepsWhatItDoesNotNameAndRefusesAReminderAfterTheExpiry(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, err := testkit.AdminPool(t).Exec(context.Background(), `UPDATE organizations SET transfer_remind_after = '1 second',
		transfer_expire_after = '3 seconds' WHERE id = $1`, b.org.ID)
	require.NoError(t, err)

	s, err := b.update(t, organizations.Changes{COIWarningThreshold: ptr(0.125)})
	require.NoError(t, err)
	require.Equal(t, time.Second, s.TransferRemindAfter)
	require.Equal(t, 3*time.Second, s.TransferExpireAfter)
	require.Equal(t, 0.125, s.COIWarningThreshold)
	require.Equal(t, b.org.Name, s.Name)

	_, err = b.update(t, organizations.Changes{TransferRemindAfterDays: ptr(1)})
	var field *organizations.FieldError
	require.ErrorAs(t, err, &field)
	require.Equal(t, "transfer_remind_after_days", field.Field)

	_, err = b.update(t, organizations.Changes{TransferRemindAfterDays: ptr(14), TransferExpireAfterDays: ptr(14)})
	require.ErrorAs(t, err, &field)
	require.Equal(t, "transfer_remind_after_days", field.Field)
}
