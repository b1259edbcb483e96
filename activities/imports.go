package activities

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/temporal"

	"github.com/reptidex/reptidex/animals"
	"github.com/reptidex/reptidex/domain/genetics"
	"github.com/reptidex/reptidex/imports"
	"github.com/reptidex/reptidex/objstore"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/workflows/importing"
)

// Imports holds the activities of the import process: the database the rows go to, and
// the bucket the file was uploaded to.
type Imports struct {
	*Database
	S3     *s3.Client
	Bucket string
}

// tenantOf is the import's organization, acting for the breeder who uploaded it.
func tenantOf(in importing.Input) store.Tenant {
	return store.Tenant{OrgID: in.OrgID, UserID: in.CreatedBy}
}

// notThere is the final error of an import gone, or not at the stage an activity acts on.
func notThere(in importing.Input, stage string) error {
	return temporal.NewNonRetryableApplicationError("import "+in.PublicID+" is not "+stage, importing.ErrTypeNotFound, nil)
}

// Check reads the uploaded file with the mapping asked for, checks every row, plans it
// against the organization, and records the import checked with the report, the mapping
// and the file's checksum. A file that cannot be read at all is checked too, its report
// saying why, and nothing of it can be applied.
func (a *Imports) Check(ctx context.Context, in importing.Input, req importing.CheckRequest) (importing.CheckResult, error) {
	err := a.inTenant(ctx, tenantOf(in), func(tx pgx.Tx) error {
		ok, err := store.MarkImportChecking(ctx, tx, in.ImportID)
		if err == nil && !ok {
			err = notThere(in, "waiting to be checked")
		}
		return err
	})
	if err != nil {
		return importing.CheckResult{}, err
	}
	named, _, err := a.species(ctx)
	if err != nil {
		return importing.CheckResult{}, Classify(err)
	}
	f, sum, err := a.read(ctx, in, req.Mapping, named)
	var bad *imports.UnreadableError
	switch {
	case errors.As(err, &bad):
		f.Report = imports.Report{Unreadable: bad.Problem, Problems: []imports.Problem{}}
	case err != nil:
		return importing.CheckResult{}, Classify(err)
	}
	fingerprint := imports.Fingerprint(f.Records)
	mapping := req.Mapping
	if mapping == nil {
		mapping = map[string]string{}
	}
	err = a.inTenant(ctx, tenantOf(in), func(tx pgx.Tx) error {
		if bad == nil {
			if err := imports.Plan(ctx, tx, &f); err != nil {
				return err
			}
		}
		if f.Report.Problems == nil {
			f.Report.Problems = []imports.Problem{}
		}
		ok, err := store.MarkImportChecked(ctx, tx, in.ImportID, mapping, f.Report, sum)
		if err == nil && !ok {
			err = notThere(in, "being checked")
		}
		return err
	})
	if err != nil {
		return importing.CheckResult{}, err
	}
	return importing.CheckResult{Checksum: sum, Fingerprint: fingerprint, Mapping: mapping, Rows: f.Report.Rows, Valid: f.Report.Valid,
		Problems: f.Report.ProblemCount, Unreadable: f.Report.Unreadable}, nil
}

// Apply applies the checked file in batches of importing.BatchRows rows, each batch in one
// transaction that also records it done; a batch recorded done already is not applied
// again, so a try after a lost one goes on where it stopped. The file read must be the
// one checked (by its checksum), and read the same (by the fingerprint of its records), so
// that the batches hold the same rows on every try.
func (a *Imports) Apply(ctx context.Context, in importing.Input, checked importing.CheckResult) (importing.Totals, error) {
	named, catalogue, err := a.species(ctx)
	if err != nil {
		return importing.Totals{}, Classify(err)
	}
	f, sum, err := a.read(ctx, in, checked.Mapping, named)
	var bad *imports.UnreadableError
	if errors.As(err, &bad) || err == nil && (sum != checked.Checksum || imports.Fingerprint(f.Records) != checked.Fingerprint) {
		return importing.Totals{}, temporal.NewNonRetryableApplicationError("the file of import "+in.PublicID+
			" is not the one checked, or no longer reads as it did", importing.ErrTypeFileChanged, err)
	}
	if err != nil {
		return importing.Totals{}, Classify(err)
	}
	n := len(f.Records)
	batches := (n + importing.BatchRows - 1) / importing.BatchRows
	err = a.inTenant(ctx, tenantOf(in), func(tx pgx.Tx) error {
		ok, err := store.MarkImportApplying(ctx, tx, in.ImportID, batches, f.Report.Rows-n)
		if err == nil && !ok {
			err = notThere(in, "checked")
		}
		return err
	})
	if err != nil {
		return importing.Totals{}, err
	}
	applier := imports.NewApplier(catalogue, in.OrgID, imports.Columns(f.Report.Header, f.Report.Mapping), f.Records)
	var done atomic.Int64
	stop := heartbeating(ctx, func() any { return done.Load() })
	defer stop()
	for k := range batches {
		err := a.inTenant(ctx, tenantOf(in), func(tx pgx.Tx) error {
			recorded, listed, err := store.ImportBatchesDone(ctx, tx, in.ImportID)
			switch {
			case errors.Is(err, store.ErrNotFound):
				return notThere(in, "applying")
			case err != nil || recorded > k:
				return err
			}
			out, err := applier.Batch(ctx, tx, f.Records[k*importing.BatchRows:min((k+1)*importing.BatchRows, n)])
			if err != nil {
				return err
			}
			listing := out.Problems[:min(len(out.Problems), max(0, imports.MaxReported-listed))]
			return store.RecordImportBatch(ctx, tx, in.ImportID, out.Created, out.Updated, len(out.Problems), listing)
		})
		if err != nil {
			return importing.Totals{}, err
		}
		done.Store(int64(k + 1))
	}
	var im store.Import
	err = a.inTenant(ctx, tenantOf(in), func(tx pgx.Tx) (err error) {
		im, err = store.ImportByID(ctx, tx, in.ImportID)
		return err
	})
	return importing.Totals{Created: im.Created, Updated: im.Updated, Refused: im.Refused}, err
}

// End marks the import ended as e says, unless it ended already, and deletes its file.
func (a *Imports) End(ctx context.Context, in importing.Input, e importing.Ended) error {
	err := a.inTenant(ctx, tenantOf(in), func(tx pgx.Tx) error {
		_, err := store.FinishImport(ctx, tx, in.ImportID, string(e.Stage), e.Problem)
		return err
	})
	if err != nil {
		return err
	}
	return objstore.Delete(ctx, a.S3, a.Bucket, in.ObjectKey)
}

// read reads and checks the import's file with mapping, and its SHA-256; one missing is an
// *imports.UnreadableError.
func (a *Imports) read(ctx context.Context, in importing.Input, mapping map[string]string, named imports.Catalogues) (imports.File, string, error) {
	body, err := objstore.Open(ctx, a.S3, a.Bucket, in.ObjectKey)
	if errors.Is(err, objstore.ErrNotFound) {
		return imports.File{}, "", &imports.UnreadableError{Problem: "the file was not uploaded"}
	}
	if err != nil {
		return imports.File{}, "", err
	}
	defer func() { _ = body.Close() }() // a read body; nothing is lost if it fails to close
	h := sha256.New()
	var read atomic.Int64
	stop := heartbeating(ctx, func() any { return read.Load() })
	defer stop()
	f, err := imports.ReadFile(io.TeeReader(&counting{r: body, n: &read}, h), mapping, named)
	return f, hex.EncodeToString(h.Sum(nil)), err
}

// counting counts the bytes read through it.
type counting struct {
	r io.Reader
	n *atomic.Int64
}

func (c *counting) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// species reads the species catalogues as an import names them, and as the animals'
// commands read them by key.
func (a *Imports) species(ctx context.Context) (imports.Catalogues, animals.Catalogue, error) {
	rows, err := store.ListSpecies(ctx, a.DB.Pool)
	if err != nil {
		return nil, nil, err
	}
	all := make([]*genetics.Species, len(rows))
	byKey := make(map[string]*genetics.Species, len(rows))
	for i, r := range rows {
		all[i], byKey[r.Key] = r.Catalog, r.Catalog
	}
	catalogue := func(_ context.Context, key string) (*genetics.Species, error) {
		if s, ok := byKey[key]; ok {
			return s, nil
		}
		return nil, fmt.Errorf("species %s: %w", key, store.ErrNotFound)
	}
	return imports.SpeciesNamed(all), catalogue, nil
}
