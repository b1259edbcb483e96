-- The carrier's delivery date the seller gives when shipping: the animal is taken to have
-- arrived then (the live-arrival window opens) unless either side says so sooner.
ALTER TABLE orders ADD COLUMN expected_delivery_at timestamptz;
