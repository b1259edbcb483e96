package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/store"
)

// Every POST that takes an Idempotency-Key runs through idempotent, over one table
// (store/idempotency.go). A key's scope is the organization the caller acts for, the caller
// and the operation. The first request with a key claims it; the same key and request then
// get the first one's answer again (same status and body, with Idempotent-Replayed: true),
// another request with it is a 422, and one arriving while the first still runs a 409 with
// Retry-After. Only successful answers are kept, for 24 hours. A request refused with a 4xx
// changed nothing, so its key is forgotten; one that failed otherwise leaves its key
// unanswered, and its retry runs again knowing it is one (keyed.Retried).

// replayedHeader marks an answer replayed from an earlier request with the same key.
const replayedHeader = "Idempotent-Replayed"

const (
	// idempotencyLease is how long a claimed key counts as in flight. A request cannot
	// outlive it (idempotentRunLimit), so only a process that died mid-request leaves a
	// claim to lapse; a retry after that takes the key over.
	idempotencyLease = 2 * time.Minute
	// idempotentRunLimit is the deadline of the operation behind a key: the longest request
	// (an answer to a transfer waits up to 20 s for its workflow) with room to spare.
	idempotentRunLimit = time.Minute
	// inFlightRetryAfter is the Retry-After of a 409 for a key still in flight: most
	// requests finish within it.
	inFlightRetryAfter = time.Second
	// keyWriteTimeout bounds saving an answer or releasing a key once the operation ended,
	// which happens even when the caller has gone.
	keyWriteTimeout = 5 * time.Second
)

// idempotentOp is one POST that takes an Idempotency-Key.
type idempotentOp struct {
	Name     string // the operation, part of the key's scope, e.g. "transfer.offer"
	Org      string // public ID of the organization the caller acts for; "" for the token's
	Required bool   // a request without a key is refused
	Request  any    // what the request asks, decoded and normalised; its hash binds the key
}

// response is an operation's successful answer.
type response struct {
	Status   int
	Body     any
	Location string
}

// keyed is a request's hold on its Idempotency-Key, handed to the operation.
type keyed struct {
	Key     string // "" when the request sent none
	Retried bool   // an earlier request with this key ended without an answer
	op      string
	answer  *store.StoredResponse // set once the answer is saved
}

// save keeps the operation's answer in tx, the transaction of its own writes, so that the
// answer is kept if and only if they are. An operation without such a transaction returns
// its answer instead, and idempotent saves it.
func (k *keyed) save(ctx context.Context, tx pgx.Tx, resp response) error {
	answer, err := encodeResponse(resp)
	if err != nil {
		return err
	}
	if k.Key != "" {
		if err := store.SaveIdempotentResponse(ctx, tx, k.op, k.Key, answer); err != nil {
			return err
		}
	}
	k.answer = &answer
	return nil
}

// idempotent runs one POST under its Idempotency-Key (see above). run gets the request
// with the operation's deadline.
func (s *Server) idempotent(w http.ResponseWriter, r *http.Request, op idempotentOp, run func(*http.Request, *keyed) (response, error)) error {
	key, err := idempotencyKey(r)
	if err != nil {
		return err
	}
	k := &keyed{Key: key, op: op.Name}
	if key == "" {
		if op.Required {
			return invalid(FieldError{"Idempotency-Key", "header is required: a key of your choosing that makes a retry of this request safe"})
		}
		resp, err := run(r, k)
		if err == nil {
			err = k.encode(resp)
		}
		if err != nil {
			return err
		}
		return writeAnswer(w, *k.answer, false)
	}
	claim, err := s.claimKey(r, op, key)
	if err != nil {
		return err
	}
	if claim.Response != nil {
		return writeAnswer(w, *claim.Response, true)
	}
	k.Retried = claim.Retried
	ctx, cancel := context.WithTimeout(r.Context(), idempotentRunLimit)
	defer cancel()
	resp, err := run(r.WithContext(ctx), k)
	switch {
	case err != nil:
		var p *Problem
		forget := errors.As(err, &p) && p.Status < http.StatusInternalServerError
		s.afterRun(r, op, func(ctx context.Context, tx pgx.Tx) error {
			return store.ReleaseIdempotencyKey(ctx, tx, op.Name, key, forget)
		})
		return err
	case k.answer == nil:
		if err := k.encode(resp); err != nil {
			s.afterRun(r, op, func(ctx context.Context, tx pgx.Tx) error {
				return store.ReleaseIdempotencyKey(ctx, tx, op.Name, key, false)
			})
			return err
		}
		s.afterRun(r, op, func(ctx context.Context, tx pgx.Tx) error {
			return store.SaveIdempotentResponse(ctx, tx, op.Name, key, *k.answer)
		})
	}
	return writeAnswer(w, *k.answer, false)
}

// claimKey claims the key for the request, committed at once so that a concurrent request
// sees it; the claim carries the answer to replay when the key was answered before.
func (s *Server) claimKey(r *http.Request, op idempotentOp, key string) (store.IdempotencyClaim, error) {
	raw, err := json.Marshal(op.Request)
	if err != nil {
		return store.IdempotencyClaim{}, fmt.Errorf("hash %s request: %w", op.Name, err)
	}
	hash := sha256.Sum256(append([]byte(op.Name+"\x00"), raw...))
	var claim store.IdempotencyClaim
	err = s.withAccess(r, op.Org, func(tx pgx.Tx, _ access) error {
		var err error
		claim, err = store.ClaimIdempotencyKey(r.Context(), tx, op.Name, key, hash[:], idempotencyLease)
		return err
	})
	switch {
	case errors.Is(err, store.ErrIdempotencyMismatch):
		return claim, invalid(FieldError{"Idempotency-Key", "was used for a different request; use a new key for a new request"})
	case errors.Is(err, store.ErrIdempotencyInFlight):
		p := newProblem(kindConflict, "A request with this Idempotency-Key is still being handled; retry it to get its answer.")
		p.retryAfter = inFlightRetryAfter
		return claim, p
	}
	return claim, err
}

// afterRun records what became of a key once its operation ended, even if the caller has
// gone. A failure is logged, not answered: the operation's outcome stands, and the key stays
// in flight until its lease lapses.
func (s *Server) afterRun(r *http.Request, op idempotentOp, fn func(context.Context, pgx.Tx) error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), keyWriteTimeout)
	defer cancel()
	err := s.withAccess(r.WithContext(ctx), op.Org, func(tx pgx.Tx, _ access) error { return fn(ctx, tx) })
	if err != nil {
		s.log.ErrorContext(ctx, "idempotency key not recorded", "operation", op.Name, "error", err)
	}
}

// encode keeps the operation's answer, encoded, unless it saved it itself.
func (k *keyed) encode(resp response) error {
	if k.answer != nil {
		return nil
	}
	answer, err := encodeResponse(resp)
	if err != nil {
		return err
	}
	k.answer = &answer
	return nil
}

// encodeResponse encodes an answer as writeJSON would write it.
func encodeResponse(resp response) (store.StoredResponse, error) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(resp.Body); err != nil {
		return store.StoredResponse{}, fmt.Errorf("encode response: %w", err)
	}
	out := store.StoredResponse{Status: resp.Status, Body: buf.Bytes(), Headers: map[string]string{}}
	if resp.Location != "" {
		out.Headers["Location"] = resp.Location
	}
	return out, nil
}

// writeAnswer writes an answer, marked replayed when it is one.
func writeAnswer(w http.ResponseWriter, a store.StoredResponse, replayed bool) error {
	for name, v := range a.Headers {
		w.Header().Set(name, v)
	}
	if replayed {
		w.Header().Set(replayedHeader, "true")
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(a.Status)
	if _, err := w.Write(a.Body); err != nil {
		return fmt.Errorf("write response: %w", err)
	}
	return nil
}
