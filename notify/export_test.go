package notify

import "context"

// SetBeforeRecord makes w run hook before each try at recording an outcome; an error from
// hook stands for a failed write.
func (w *DeliveryWorker) SetBeforeRecord(hook func(ctx context.Context, try int) error) {
	w.beforeRecord = hook
}
