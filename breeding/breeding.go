// Package breeding holds the commands and queries of a breeder's record of breeding, each in
// the caller's transaction: planning a pairing and reading it with its prediction, recording
// a clutch and its hatch, registering hatchlings with the genetics their parents give them,
// and predicting the offspring of any two parents. The API, jobs and tests call them; the
// rules of inheritance themselves are domain/genetics', and inbreeding domain/lineage's.
package breeding

import (
	"context"
	"errors"

	"github.com/reptidex/reptidex/domain/genetics"
	"github.com/reptidex/reptidex/pedigree"
)

// Deps are what the commands read besides the caller's transaction.
type Deps struct {
	// Species gives the catalogue of the species with the given key. For a key it does not
	// know, its error names field, the request's field the key came from, and is returned
	// as it is.
	Species func(ctx context.Context, key, field string) (*genetics.Species, error)
	// Pedigree is the pedigree graph inbreeding is computed over; when it cannot answer (or
	// is nil) the pedigree is read from the database.
	Pedigree *pedigree.Graph
}

// InvalidError refuses what was asked, naming the field of the request that is wrong (as a
// request names it, "hatchlings[2].looks") and what is wrong with it.
type InvalidError struct {
	Field   string
	Message string
}

func (e *InvalidError) Error() string { return e.Field + ": " + e.Message }

// invalid is an InvalidError as an error.
func invalid(field, message string) error { return &InvalidError{Field: field, Message: message} }

// Refusals of a pairing or clutch that does not exist or is another organization's.
var (
	ErrPairingNotFound = errors.New("pairing not found")
	ErrClutchNotFound  = errors.New("clutch not found")
)

// invalidGenetics names the field of a genotype the genetics parser or model refused, with
// the token or gene and the closest known names for a typo; other errors pass as they are.
func invalidGenetics(field string, err error) error {
	if genetics.IsRefusal(err) {
		return invalid(field, err.Error())
	}
	return err
}
