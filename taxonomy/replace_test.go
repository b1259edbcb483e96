package taxonomy_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/animals"
	"github.com/reptidex/reptidex/domain/genetics"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/taxonomy"
	"github.com/reptidex/reptidex/testkit"
	"github.com/reptidex/reptidex/testkit/registered"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// editBundle is a platform administrator's database, in a test's own copy; each test edits
// a species of its own.
type editBundle struct {
	db    *store.DB
	admin store.User
	org   store.Organization
}

func setupEdit(t *testing.T) editBundle {
	t.Helper()
	db := testkit.DB(t)
	u, o := registered.Organization(t, db, registered.Queue(t, db), "taxadmin")
	return editBundle{db: db, admin: u, org: o}
}

// stored is the stored catalogue of key, a copy to edit, and its version.
func (b editBundle) stored(t *testing.T, key string) (*genetics.Species, int) {
	t.Helper()
	rows, err := store.ListSpecies(context.Background(), b.db.Pool)
	require.NoError(t, err)
	for _, r := range rows {
		if r.Key == key {
			raw, err := json.Marshal(r.Catalog)
			require.NoError(t, err)
			var sp genetics.Species
			require.NoError(t, json.Unmarshal(raw, &sp))
			require.NoError(t, sp.Prepare())
			return &sp, r.Version
		}
	}
	t.Fatalf("species %s is not stored", key)
	return nil, 0
}

func (b editBundle) replace(t *testing.T, key string, sp *genetics.Species, based int) (int, error) {
	t.Helper()
	var version int
	ctx := context.Background()
	err := b.db.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		version, err = taxonomy.Replace(ctx, tx, taxonomy.Edit{Key: key, Species: sp,
			Matches: func(v int) bool { return v == based }, By: b.admin.ID})
		return err
	})
	return version, err
}

func requireField(t *testing.T, err error, field string) {
	t.Helper()
	var refused *taxonomy.FieldError
	require.ErrorAs(t, err, &refused)
	require.Equal(t, field, refused.Field, refused.Message)
}

func TestReplace_StoresAnEditBasedOnTheStoredVersionOnly(t *testing.T) {
	t.Parallel()
	b := setupEdit(t)
	sp, version := b.stored(t, "corn-snake")
	sp.Name = "Corn snake (edited)"

	next, err := b.replace(t, "corn-snake", sp, version)
	require.NoError(t, err)
	require.Equal(t, version+1, next)
	stored, v := b.stored(t, "corn-snake")
	require.Equal(t, "Corn snake (edited)", stored.Name)
	require.Equal(t, next, v)

	_, err = b.replace(t, "corn-snake", sp, version)
	require.ErrorIs(t, err, store.ErrStale, "an edit of the version before")
}

func TestReplace_RefusesAnotherSpeciesAnInvalidCatalogueOrAnUnknownOne(t *testing.T) {
	t.Parallel()
	b := setupEdit(t)
	sp, version := b.stored(t, "ball-python")

	_, err := b.replace(t, "corn-snake", sp, version)
	requireField(t, err, "key")

	invalid, _ := b.stored(t, "ball-python")
	invalid.SexSystem = "QQ"
	_, err = b.replace(t, "ball-python", invalid, version)
	requireField(t, err, "genes")

	sp.Key = "dragon"
	_, err = b.replace(t, "dragon", sp, 1)
	require.ErrorIs(t, err, taxonomy.ErrUnknownSpecies)

	_, v := b.stored(t, "ball-python")
	require.Equal(t, version, v, "nothing was written")
}

func TestReplace_KeepsEveryGeneAnimalsClaim(t *testing.T) {
	t.Parallel()
	b := setupEdit(t)
	sp, version := b.stored(t, "leopard-gecko")
	ctx := context.Background()
	require.NoError(t, b.db.InTenant(ctx, store.Tenant{OrgID: b.org.ID, UserID: b.admin.ID}, func(tx pgx.Tx) error {
		mack := "Mack Snow"
		_, err := animals.Register(ctx, tx, sp, b.org.ID, animals.Changes{Genetics: &mack})
		return err
	}))

	edited, _ := b.stored(t, "leopard-gecko")
	var kept []genetics.Gene
	for _, g := range edited.Genes {
		if g.Key != "mack-snow" {
			kept = append(kept, g)
		}
	}
	edited.Genes, edited.Combos = kept, nil
	_, err := b.replace(t, "leopard-gecko", edited, version)
	requireField(t, err, "genes")
	require.Equal(t, "genes: gene mack-snow is claimed by animals and cannot be removed", err.Error())
}
