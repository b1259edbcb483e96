package jobs

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"go.temporal.io/sdk/client"

	"github.com/reptidex/reptidex/config"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/workflows/sale"
)

// StartSaleArgs starts the sale of an order just placed. It is enqueued in the order's
// transaction, so an order always gets its sale even when Temporal is down at that moment.
type StartSaleArgs struct {
	OrderID     uuid.UUID `json:"order_id"`
	SellerOrgID uuid.UUID `json:"seller_org_id"`
}

// Kind names the job kind.
func (StartSaleArgs) Kind() string { return "start_sale" }

// InsertOpts makes the job unique per order, tried at most maxAttempts times.
func (StartSaleArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: maxAttempts, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// StartSaleWorker starts an order's sale; one already started counts as done.
type StartSaleWorker struct {
	river.WorkerDefaults[StartSaleArgs]
	DB        *store.DB
	Temporal  client.Client
	TaskQueue string
	Sales     config.Sales
	Notify    config.Notify
}

// Work starts the workflow.
func (w *StartSaleWorker) Work(ctx context.Context, job *river.Job[StartSaleArgs]) error {
	return cancelIfPermanent(StartSale(ctx, w.DB, w.Temporal, w.TaskQueue, w.Sales, w.Notify, job.Args))
}

// StartSale starts the sale of an order from what the order recorded, read in the seller's
// tenant (which sees its Stripe account); starting it again finds the one already running.
func StartSale(ctx context.Context, db *store.DB, c client.Client, taskQueue string, s config.Sales, n config.Notify, a StartSaleArgs) error {
	var in sale.Input
	err := db.InTenant(ctx, store.Tenant{OrgID: a.SellerOrgID}, func(tx pgx.Tx) error {
		o, err := store.OrderByID(ctx, tx, a.OrderID)
		if err != nil {
			return err
		}
		in = SaleInput(o, s, n)
		return nil
	})
	if err != nil {
		return fmt.Errorf("load order %s: %w", a.OrderID, err)
	}
	_, err = sale.Start(ctx, c, taskQueue, in)
	return err
}

// SaleInput is the sale's input for an order as recorded, under the platform's terms.
func SaleInput(o store.Order, s config.Sales, n config.Notify) sale.Input {
	name := o.AnimalName
	if name == "" {
		name = "animal " + o.AnimalPublicID
	}
	return sale.Input{OrderID: o.ID, PublicID: o.PublicID, ListingID: o.ListingID, SellerOrgID: o.OrgID,
		SellerName: o.SellerName, SellerUserID: o.ListedBy, SellerAccount: o.SellerAccountID, BuyerOrgID: o.BuyerOrgID,
		BuyerUserID: o.BuyerUserID, BuyerName: o.BuyerName, AnimalID: o.AnimalID, AnimalName: name, Amount: o.Amount,
		Currency: o.Currency, PlatformFee: o.PlatformFee, ShipsWithinDays: o.ShipsWithinDays,
		LiveArrivalHours: o.LiveArrivalHours, PlacedAt: o.CreatedAt, PaymentDueAt: o.PaymentDueAt,
		AuthorizationWindow: s.AuthorizationWindow, DeliveryWait: s.DeliveryWait, DecisionWindow: s.DecisionWindow,
		AdminReminderEvery: s.AdminReminderEvery, EmailAfter: n.EmailAfter, SMSAfter: n.SMSAfter}
}
