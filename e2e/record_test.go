package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/temporalproto"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/reptidex/reptidex/testkit"
	"github.com/reptidex/reptidex/workflows/certificate"
	"github.com/reptidex/reptidex/workflows/deletion"
	"github.com/reptidex/reptidex/workflows/dunning"
	"github.com/reptidex/reptidex/workflows/escalation"
	"github.com/reptidex/reptidex/workflows/export"
	"github.com/reptidex/reptidex/workflows/importing"
	"github.com/reptidex/reptidex/workflows/onboarding"
	"github.com/reptidex/reptidex/workflows/sale"
	"github.com/reptidex/reptidex/workflows/transfer"
)

// recordHistories says whether the tests named *_RecordsTheHistoryOfEachPath write the
// histories they fetched into the workflows' testdata (`make record-histories` runs them),
// for the replay tests of each process.
var recordHistories = os.Getenv("RECORD_HISTORIES") == "1"

// transferPath is one way a transfer ends, driven over HTTP, and where its histories go.
type transferPath struct {
	name string
	// drive offers an animal and takes the transfer to its end; it returns the offering
	// person and the transfer's public ID.
	drive    func(t *testing.T, s *system) (person, string)
	want     transfer.Status
	timeline []string
	// How the offer's escalation (the transfer's one child) ends.
	escalationEnd enumspb.EventType
	// Files under workflows/transfer/testdata and workflows/escalation/testdata; an empty
	// escalation file leaves the child's history unrecorded.
	file, escalationFile string
}

// Each path a transfer can take, run end to end on the dev server. Its history, and the
// history of the offer's escalation, must replay against today's code; with
// RECORD_HISTORIES=1 they are written as the workflows' recorded histories.
func TestTransfer_RecordsTheHistoryOfEachPath(t *testing.T) {
	t.Parallel()
	paths := []transferPath{
		{name: "accepted", drive: driveAccept, want: transfer.Accepted, timeline: []string{"offered", "accepted"},
			escalationEnd: enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, file: "accepted.json", escalationFile: "actioned.json"},
		{name: "declined", drive: driveDecline, want: transfer.Declined, timeline: []string{"offered", "declined"},
			escalationEnd: enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, file: "declined.json"},
		{name: "cancelled", drive: driveCancel, want: transfer.Cancelled, timeline: []string{"offered", "cancelled"},
			escalationEnd: enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED, file: "cancelled.json", escalationFile: "cancelled_with_its_transfer.json"},
		{name: "reminded then expired", drive: driveExpiry, want: transfer.Expired, timeline: []string{"offered", "reminded", "expired"},
			escalationEnd: enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED, file: "expired_after_a_reminder.json"},
		{name: "declined with a reason the database refuses", drive: driveRefusedDecline, want: transfer.Declined,
			timeline: []string{"offered", "declined"}, escalationEnd: enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
			file: "declined_reason_refused_then_released.json"},
	}
	for _, p := range paths {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			s := start(t)
			tc := testkit.Temporal(t)
			offerer, publicID := p.drive(t, s)

			ended := s.waitStatus(t, offerer.Token, publicID, string(p.want))
			require.Equal(t, p.timeline, timelineKinds(ended))
			var transferID uuid.UUID
			require.NoError(t, testkit.AdminPool(t).QueryRow(context.Background(),
				`SELECT id FROM transfers WHERE public_id = $1`, publicID).Scan(&transferID))

			ctx, cancel := context.WithTimeout(context.Background(), processWait)
			defer cancel()
			var res transfer.Result
			require.NoError(t, tc.GetWorkflow(ctx, transfer.WorkflowID(transferID), "").Get(ctx, &res))
			require.Equal(t, p.want, res.Status)
			parent := fetchHistory(t, tc, transfer.WorkflowID(transferID), "")
			requireReplays(t, parent)

			children := childExecutions(parent)
			require.Len(t, children, 1, "one recipient, one escalation of the offer")
			child := fetchHistory(t, tc, children[0].WorkflowId, children[0].RunId)
			require.Equal(t, p.escalationEnd, child.Events[len(child.Events)-1].EventType)
			requireReplays(t, child)

			if recordHistories {
				writeHistory(t, parent, filepath.Join("..", "workflows", "transfer", "testdata", p.file))
				if p.escalationFile != "" {
					writeHistory(t, child, filepath.Join("..", "workflows", "escalation", "testdata", p.escalationFile))
				}
			}
		})
	}
}

func driveAccept(t *testing.T, s *system) (person, string) {
	t.Helper()
	ada, bob := s.register(t, "Ada", true), s.register(t, "Bob", true)
	animal := s.animal(t, ada.Token, map[string]any{"species": "ball-python", "sex": "male", "name": "Noodle"})
	id := offerTo(t, s, ada, map[string]any{"animal_id": animal, "recipient_email": bob.Email, "message": "He is yours."})
	s.waitMail(t, bob.Email, "Ada's Reptiles offers you Noodle")
	s.must(t, http.StatusOK, http.MethodPost, "/api/v1/transfers/"+id+"/accept", bob.Token, map[string]any{"organization_id": bob.OrgID})
	s.waitMail(t, ada.Email, "The transfer of Noodle was accepted")
	return ada, id
}

func driveDecline(t *testing.T, s *system) (person, string) {
	t.Helper()
	ada, bob := s.register(t, "Ada", true), s.register(t, "Bob", true)
	animal := s.animal(t, ada.Token, map[string]any{"species": "corn-snake", "sex": "female", "name": "Pretzel"})
	id := offerTo(t, s, ada, map[string]any{"animal_id": animal, "recipient_email": bob.Email})
	s.waitMail(t, bob.Email, "Ada's Reptiles offers you Pretzel")
	s.must(t, http.StatusOK, http.MethodPost, "/api/v1/transfers/"+id+"/decline", bob.Token, map[string]any{"reason": "No room this season"})
	s.waitMail(t, ada.Email, "The transfer of Pretzel was declined")
	return ada, id
}

func driveCancel(t *testing.T, s *system) (person, string) {
	t.Helper()
	ada, bob := s.register(t, "Ada", true), s.register(t, "Bob", true)
	animal := s.animal(t, ada.Token, map[string]any{"species": "leopard-gecko", "sex": "male", "name": "Mango"})
	id := offerTo(t, s, ada, map[string]any{"animal_id": animal, "recipient_organization_id": bob.OrgID})
	s.waitMail(t, bob.Email, "Ada's Reptiles offers you Mango")
	s.must(t, http.StatusOK, http.MethodPost, "/api/v1/transfers/"+id+"/cancel", ada.Token, nil)
	s.waitMail(t, ada.Email, "The transfer of Mango was cancelled")
	return ada, id
}

func driveExpiry(t *testing.T, s *system) (person, string) {
	t.Helper()
	ada, bob := s.register(t, "Ada", true), s.register(t, "Bob", true)
	require.NoError(t, s.Admin(context.Background(), `UPDATE organizations SET transfer_remind_after = '1 second',
		transfer_expire_after = '3 seconds' WHERE public_id = $1`, ada.OrgID))
	animal := s.animal(t, ada.Token, map[string]any{"species": "ball-python", "sex": "female", "name": "Olive"})
	id := offerTo(t, s, ada, map[string]any{"animal_id": animal, "recipient_email": bob.Email})
	s.waitMail(t, bob.Email, "Reminder: Ada's Reptiles offers you Olive")
	s.waitMail(t, ada.Email, "The transfer of Olive was expired")
	return ada, id
}

func driveRefusedDecline(t *testing.T, s *system) (person, string) {
	t.Helper()
	ada, _, id, _ := declineWithARefusedReason(t, s)
	s.waitMail(t, ada.Email, "The transfer of Pebble was declined")
	return ada, id
}

// offerTo offers an animal as the person and returns the transfer's public ID.
func offerTo(t *testing.T, s *system, from person, body map[string]any) string {
	t.Helper()
	r := s.offer(t, from.Token, uuid.NewString(), body)
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Raw)
	return r.Body["id"].(string)
}

// fetchHistory waits for the workflow run to close and returns its whole history.
func fetchHistory(t *testing.T, tc client.Client, workflowID, runID string) *historypb.History {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), processWait)
	defer cancel()
	closed := tc.GetWorkflowHistory(ctx, workflowID, runID, true, enumspb.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT)
	for closed.HasNext() {
		_, err := closed.Next()
		require.NoError(t, err, "%s never closed", workflowID)
	}
	h := &historypb.History{}
	all := tc.GetWorkflowHistory(ctx, workflowID, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for all.HasNext() {
		ev, err := all.Next()
		require.NoError(t, err)
		h.Events = append(h.Events, ev)
	}
	require.NotEmpty(t, h.Events)
	return h
}

// childExecutions lists the child workflows a history started.
func childExecutions(h *historypb.History) []*commonpb.WorkflowExecution {
	var out []*commonpb.WorkflowExecution
	for _, ev := range h.Events {
		if a := ev.GetChildWorkflowExecutionStartedEventAttributes(); a != nil {
			out = append(out, a.GetWorkflowExecution())
		}
	}
	return out
}

// requireReplays replays a history against today's workflows.
func requireReplays(t *testing.T, h *historypb.History) {
	t.Helper()
	replayer := worker.NewWorkflowReplayer()
	transfer.RegisterWorkflow(replayer)
	certificate.RegisterWorkflow(replayer)
	export.RegisterWorkflow(replayer)
	importing.RegisterWorkflow(replayer)
	deletion.RegisterWorkflow(replayer)
	escalation.RegisterWorkflow(replayer)
	onboarding.RegisterWorkflow(replayer)
	sale.RegisterWorkflow(replayer)
	dunning.RegisterWorkflow(replayer)
	require.NoError(t, replayer.ReplayWorkflowHistory(nil, h))
}

// writeHistory writes a history in the JSON that `temporal workflow show --output json`
// prints and worker.WorkflowReplayer reads, indented the same way on every run.
func writeHistory(t *testing.T, h *historypb.History, path string) {
	t.Helper()
	raw, err := temporalproto.CustomJSONMarshalOptions{}.Marshal(h)
	require.NoError(t, err)
	var out bytes.Buffer
	require.NoError(t, json.Indent(&out, raw, "", "  "))
	out.WriteByte('\n')
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, out.Bytes(), 0o644))
}
