package jobs

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/config"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/workflows/sale"
)

// The sale's input is the order as recorded, under the platform's terms; an animal without
// a name is named by its public ID.
func TestSaleInput_IsTheOrderAsRecorded(t *testing.T) {
	at := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	o := store.Order{ID: uuid.New(), PublicID: "ord", ListingID: uuid.New(), OrgID: uuid.New(), BuyerOrgID: uuid.New(),
		BuyerUserID: uuid.New(), AnimalID: uuid.New(), Amount: 25000, Currency: "usd", PlatformFee: 1250,
		ShipsWithinDays: 3, LiveArrivalHours: 48, PaymentDueAt: at.Add(30 * time.Minute), CreatedAt: at,
		AnimalPublicID: "A1", SellerName: "Seller", BuyerName: "Buyer", ListedBy: uuid.New(), SellerAccountID: "acct_1"}
	s := config.Sales{AuthorizationWindow: 6 * 24 * time.Hour, DeliveryWait: 240 * time.Hour, DecisionWindow: 336 * time.Hour,
		AdminReminderEvery: 24 * time.Hour}
	n := config.Notify{EmailAfter: time.Hour, SMSAfter: 24 * time.Hour}
	require.Equal(t, sale.Input{OrderID: o.ID, PublicID: "ord", ListingID: o.ListingID, SellerOrgID: o.OrgID,
		SellerName: "Seller", SellerUserID: o.ListedBy, SellerAccount: "acct_1", BuyerOrgID: o.BuyerOrgID,
		BuyerUserID: o.BuyerUserID, BuyerName: "Buyer", AnimalID: o.AnimalID, AnimalName: "animal A1", Amount: 25000,
		Currency: "usd", PlatformFee: 1250, ShipsWithinDays: 3, LiveArrivalHours: 48, PlacedAt: at,
		PaymentDueAt: at.Add(30 * time.Minute), AuthorizationWindow: s.AuthorizationWindow, DeliveryWait: s.DeliveryWait,
		DecisionWindow: s.DecisionWindow, AdminReminderEvery: s.AdminReminderEvery, EmailAfter: time.Hour,
		SMSAfter: 24 * time.Hour}, SaleInput(o, s, n))
}
