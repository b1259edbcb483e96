-- The platform's fee on a sale is a movement of the buyer's money like the others: captured
-- money is paid out three ways, to the seller (transferred), back to the buyer (refunded), and
-- to the platform (fee). A new enum value cannot be used in the transaction that adds it, so
-- the ledger's sums take it in the next migration.
ALTER TYPE ledger_kind ADD VALUE 'fee';
