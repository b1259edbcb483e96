package billing

import (
	"context"
	"slices"

	"go.temporal.io/sdk/client"

	"github.com/reptidex/reptidex/config"
	"github.com/reptidex/reptidex/workflows/dunning"
)

// TemporalDunning reaches the dunning processes on Temporal.
type TemporalDunning struct {
	Client    client.Client
	TaskQueue string
}

// Fail tells a subscription's dunning that an invoice failed, starting it if none runs.
func (d TemporalDunning) Fail(ctx context.Context, in dunning.Input, f dunning.Failure) error {
	return dunning.Fail(ctx, d.Client, d.TaskQueue, in, f)
}

// Tell sends a running dunning a signal; dunning.ErrNotRunning when none runs.
func (d TemporalDunning) Tell(ctx context.Context, subscriptionID, signal string, arg any) error {
	return dunning.Tell(ctx, d.Client, subscriptionID, signal, arg)
}

// ScheduleOf is the dunning schedule the configuration sets.
func ScheduleOf(b config.Billing) dunning.Schedule {
	return dunning.Schedule{Reminders: slices.Clone(b.Reminders), Grace: b.Grace}
}
