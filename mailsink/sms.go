package mailsink

import (
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// RefusedSMSPrefix starts the numbers the sink refuses the way the provider refuses a number
// it cannot text (400, code 21211): the prefix and three more digits, e.g. +15550009123. Tests
// send to them to exercise a permanent failure.
const RefusedSMSPrefix = "+15550009"

// SMS is one text message the sink accepted in place of the SMS provider.
type SMS struct {
	// ID is the message sid the sink answered with (SM and 32 hex digits, like Twilio's).
	ID string `json:"id"`
	// To is the recipient, in E.164.
	To string `json:"to"`
	// From is the sender number the client gave.
	From string `json:"from"`
	// Body is the text of the message.
	Body string `json:"body"`
	// ReceivedAt is when the sink accepted the message.
	ReceivedAt time.Time `json:"received_at"`
}

// smsStore keeps text messages in memory and, when dir is set, one JSON file each.
type smsStore struct {
	dir    string
	logger *slog.Logger

	mu    sync.RWMutex
	msgs  []SMS             // oldest first
	paths map[string]string // file of each message by ID, when persisted
}

// newSMSStore returns an empty store keeping its files in dir (created on the first message);
// call load to read existing files.
func newSMSStore(dir string, logger *slog.Logger) *smsStore {
	return &smsStore{dir: dir, logger: logger, paths: make(map[string]string)}
}

// load reads every message file in the store directory, if there is one. Files that cannot
// be read are logged and skipped.
func (s *smsStore) load() error {
	if s.dir == "" {
		return nil
	}
	entries, err := os.ReadDir(s.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("mailsink: read SMS dir: %w", err)
	}
	loaded := make(map[string]SMS)
	paths := make(map[string]string)
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || !strings.HasSuffix(name, ".json") || strings.HasPrefix(name, ".") {
			continue
		}
		path := filepath.Join(s.dir, name)
		msg, err := readSMSFile(path)
		if err != nil {
			s.logger.Warn("mailsink: skipping unreadable SMS file", "file", path, "err", err)
			continue
		}
		loaded[msg.ID] = msg
		paths[msg.ID] = path
	}
	msgs := slices.Collect(maps.Values(loaded))
	slices.SortFunc(msgs, func(a, b SMS) int {
		return cmp.Or(a.ReceivedAt.Compare(b.ReceivedAt), strings.Compare(a.ID, b.ID))
	})

	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs, s.paths = msgs, paths
	s.logger.Info("mailsink: loaded stored SMS", "dir", s.dir, "count", len(msgs))
	return nil
}

// readSMSFile reads one file written by add.
func readSMSFile(path string) (SMS, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return SMS{}, err
	}
	var msg SMS
	if err := json.Unmarshal(data, &msg); err != nil {
		return SMS{}, fmt.Errorf("decode %s: %w", path, err)
	}
	if msg.ID == "" {
		return SMS{}, fmt.Errorf("%s has no id", path)
	}
	return msg, nil
}

// add records a text message and returns it.
func (s *smsStore) add(to, from, body string, received time.Time) (SMS, error) {
	msg := SMS{ID: newSMSID(), To: to, From: from, Body: body, ReceivedAt: received.UTC()}
	var path string
	if s.dir != "" {
		if err := os.MkdirAll(s.dir, 0o755); err != nil {
			return SMS{}, fmt.Errorf("mailsink: create SMS dir: %w", err)
		}
		data, err := json.Marshal(msg)
		if err != nil {
			return SMS{}, fmt.Errorf("mailsink: encode SMS %s: %w", msg.ID, err)
		}
		path = filepath.Join(s.dir, msg.ReceivedAt.Format(fileTimeLayout)+"-"+msg.ID+".json")
		if err := writeFileAtomic(path, data); err != nil {
			return SMS{}, fmt.Errorf("mailsink: store SMS %s: %w", msg.ID, err)
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = append(s.msgs, msg)
	if path != "" {
		s.paths[msg.ID] = path
	}
	return msg, nil
}

// list returns the messages, oldest first, optionally only those to the number to. Numbers
// are compared by their digits, so an unescaped + that a query string turned into a space
// still matches.
func (s *smsStore) list(to string) []SMS {
	want := phoneDigits(to)
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]SMS, 0, len(s.msgs))
	for _, m := range s.msgs {
		if strings.TrimSpace(to) != "" && phoneDigits(m.To) != want {
			continue
		}
		out = append(out, m)
	}
	return out
}

// clear removes every message and its file.
func (s *smsStore) clear() error {
	s.mu.Lock()
	paths := s.paths
	s.msgs = nil
	s.paths = make(map[string]string)
	s.mu.Unlock()

	var errs []error
	for _, path := range paths {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("mailsink: delete SMS files: %w", err)
	}
	return nil
}

// newSMSID returns a message sid in Twilio's form: SM and 32 hex digits.
func newSMSID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never returns an error.
	return "SM" + hex.EncodeToString(b[:])
}

// phoneDigits keeps only the ASCII digits of s.
func phoneDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// isE164 reports whether s is + and 8 to 15 digits, the first not 0. The sink checks this
// itself rather than share the client's parser, so that a bug in one shows in the other's tests.
func isE164(s string) bool {
	digits, ok := strings.CutPrefix(s, "+")
	return ok && len(digits) >= 8 && len(digits) <= 15 && digits[0] != '0' && phoneDigits(digits) == digits
}

// isRefusedNumber reports whether to is in the range the sink refuses (RefusedSMSPrefix).
func isRefusedNumber(to string) bool {
	return len(to) == len(RefusedSMSPrefix)+3 && strings.HasPrefix(to, RefusedSMSPrefix)
}
