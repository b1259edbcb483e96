package certificate_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/workflows/certificate"
	"github.com/reptidex/reptidex/workflows/process/processtest"
)

// Histories of each path a certificate takes, recorded from the dev server by `make
// record-histories`, replay against today's code: a change that would break certificates
// being issued fails here.
func TestWorkflow_ReplaysTheRecordedHistoryOfEachPath(t *testing.T) {
	t.Parallel()
	processtest.Replay(t, map[string]processtest.Ending{
		"testdata/issued.json": processtest.Completed(func(t *testing.T, res certificate.Result) {
			require.Contains(t, res.PDFKey, "certificates/")
			require.NotEmpty(t, res.KeyID)
		}),
		"testdata/not_being_issued.json": processtest.Failed(certificate.ErrTypeNotFound),
		"testdata/animal_archived.json":  processtest.Failed(certificate.ErrTypeNotCertifiable),
	}, certificate.RegisterWorkflow)
}
