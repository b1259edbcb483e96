package certificate

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/reptidex/reptidex/workflows/process"
)

// Start starts issuing a certificate and returns its run. Started again with the same input,
// it returns the run already under way, or the finished one: a certificate is issued once.
// With another input it is an error wrapping process.ErrStartedOtherwise.
func Start(ctx context.Context, c client.Client, taskQueue string, in Input) (client.WorkflowRun, error) {
	run, err := process.Start(ctx, c, client.StartWorkflowOptions{
		ID:                    WorkflowID(in.CertificateID),
		TaskQueue:             taskQueue,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}, WorkflowName, in, Input.same)
	if err != nil {
		return nil, fmt.Errorf("start certificate %s: %w", in.Serial, err)
	}
	return run, nil
}

// Running reports whether the certificate's workflow is running; one never started, or
// ended, is not.
func Running(ctx context.Context, c client.Client, certificateID uuid.UUID) (bool, error) {
	return process.Running(ctx, c, WorkflowID(certificateID))
}
