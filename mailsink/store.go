package mailsink

import (
	"bytes"
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

const (
	// fileTimeLayout is the sortable UTC timestamp that prefixes .eml names.
	fileTimeLayout = "20060102T150405.000000000Z"
	// envFromHeader and envToHeader record the SMTP envelope at the top of a
	// stored .eml file so a restart recovers recipients that are not in the
	// header (Bcc). They are stripped again when the file is loaded.
	envFromHeader = "X-Mailsink-Envelope-From: "
	envToHeader   = "X-Mailsink-Envelope-To: "
)

// record is one stored message.
type record struct {
	msg  Message
	raw  []byte
	path string // .eml file, empty when kept in memory only
}

// store keeps received messages in memory and, when dir is set, as .eml files.
type store struct {
	dir    string
	logger *slog.Logger

	mu   sync.RWMutex
	recs []*record // oldest first
	byID map[string]*record
}

// newStore returns an empty store; call load to read existing files.
func newStore(dir string, logger *slog.Logger) *store {
	return &store{dir: dir, logger: logger, byID: make(map[string]*record)}
}

// load creates the store directory if needed and reads every .eml file in it.
// Files that cannot be read are logged and skipped.
func (s *store) load() error {
	if s.dir == "" {
		return nil
	}
	if err := os.MkdirAll(s.dir, 0o755); err != nil {
		return fmt.Errorf("mailsink: create message dir: %w", err)
	}
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return fmt.Errorf("mailsink: read message dir: %w", err)
	}
	var loaded []*record
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || !strings.HasSuffix(name, ".eml") || strings.HasPrefix(name, ".") {
			continue
		}
		rec, err := s.loadFile(e)
		if err != nil {
			s.logger.Warn("mailsink: skipping unreadable message file", "file", name, "err", err)
			continue
		}
		loaded = append(loaded, rec)
	}
	slices.SortFunc(loaded, func(a, b *record) int {
		return cmp.Or(a.msg.ReceivedAt.Compare(b.msg.ReceivedAt), strings.Compare(a.msg.ID, b.msg.ID))
	})

	s.mu.Lock()
	defer s.mu.Unlock()
	for _, rec := range loaded {
		if _, dup := s.byID[rec.msg.ID]; dup {
			continue
		}
		s.recs = append(s.recs, rec)
		s.byID[rec.msg.ID] = rec
	}
	s.logger.Info("mailsink: loaded stored messages", "dir", s.dir, "count", len(loaded))
	return nil
}

// loadFile reads one .eml file written by add (or dropped in by hand).
func (s *store) loadFile(e fs.DirEntry) (*record, error) {
	path := filepath.Join(s.dir, e.Name())
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	id, received, ok := parseFileName(e.Name())
	if !ok {
		// Not named by us: give it a fresh ID and use the file's mtime.
		id = newID()
		info, err := e.Info()
		if err != nil {
			return nil, fmt.Errorf("stat %s: %w", path, err)
		}
		received = info.ModTime().UTC()
	}
	envFrom, envTo, hasEnv, raw := splitEnvelope(data)
	hdr, err := parseHeaderInfo(raw)
	if err != nil {
		s.logger.Warn("mailsink: message file has a malformed header", "file", path, "err", err)
	}
	from, to := hdr.from, hdr.to
	if hasEnv {
		from, to = envFrom, envTo
	}
	return &record{
		msg:  newMessage(id, from, to, hdr.subject, received, len(raw)),
		raw:  raw,
		path: path,
	}, nil
}

// add stores a message received over SMTP and returns its summary.
func (s *store) add(from string, to []string, raw []byte, received time.Time) (Message, error) {
	received = received.UTC()
	id := newID()
	hdr, err := parseHeaderInfo(raw)
	if err != nil {
		s.logger.Warn("mailsink: received message has a malformed header", "id", id, "err", err)
	}
	rec := &record{msg: newMessage(id, from, slices.Clone(to), hdr.subject, received, len(raw)), raw: raw}
	if s.dir != "" {
		path := filepath.Join(s.dir, received.Format(fileTimeLayout)+"-"+id+".eml")
		if err := writeFileAtomic(path, joinEnvelope(from, to, raw)); err != nil {
			return Message{}, fmt.Errorf("mailsink: store message %s: %w", id, err)
		}
		rec.path = path
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	s.recs = append(s.recs, rec)
	s.byID[id] = rec
	return cloneMessage(rec.msg), nil
}

// list returns all messages, oldest first, optionally only those with a
// recipient equal (case-insensitively) to to.
func (s *store) list(to string) []Message {
	to = strings.TrimSpace(to)
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Message, 0, len(s.recs))
	for _, rec := range s.recs {
		if to != "" && !slices.ContainsFunc(rec.msg.To, func(r string) bool { return strings.EqualFold(r, to) }) {
			continue
		}
		out = append(out, cloneMessage(rec.msg))
	}
	return out
}

// get returns the summary and raw bytes of the message with the given ID.
// The returned bytes must not be modified.
func (s *store) get(id string) (Message, []byte, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	rec, ok := s.byID[id]
	if !ok {
		return Message{}, nil, false
	}
	return cloneMessage(rec.msg), rec.raw, true
}

// clear removes every message and its file.
func (s *store) clear() error {
	s.mu.Lock()
	recs := s.recs
	s.recs = nil
	s.byID = make(map[string]*record)
	s.mu.Unlock()

	var errs []error
	for _, rec := range recs {
		if rec.path == "" {
			continue
		}
		if err := os.Remove(rec.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("mailsink: delete message files: %w", err)
	}
	return nil
}

// newMessage builds a Message, making sure To is never nil so it encodes as [].
func newMessage(id, from string, to []string, subject string, received time.Time, size int) Message {
	if to == nil {
		to = []string{}
	}
	return Message{ID: id, From: from, To: to, Subject: subject, ReceivedAt: received, Size: size}
}

// cloneMessage copies m so callers cannot alias the stored recipient slice.
func cloneMessage(m Message) Message {
	m.To = slices.Clone(m.To)
	return m
}

// newID returns a random 16-character hex message ID.
func newID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never returns an error.
	return hex.EncodeToString(b[:])
}

// isID reports whether s looks like an ID produced by newID.
func isID(s string) bool {
	if len(s) != 16 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// parseFileName splits a "<time>-<id>.eml" name written by add.
func parseFileName(name string) (id string, received time.Time, ok bool) {
	ts, id, ok := strings.Cut(strings.TrimSuffix(name, ".eml"), "-")
	if !ok || !isID(id) {
		return "", time.Time{}, false
	}
	received, err := time.Parse(fileTimeLayout, ts)
	if err != nil {
		return "", time.Time{}, false
	}
	return id, received, true
}

// joinEnvelope prefixes raw with the envelope header lines.
func joinEnvelope(from string, to []string, raw []byte) []byte {
	var buf bytes.Buffer
	buf.Grow(len(raw) + 64*(len(to)+1))
	buf.WriteString(envFromHeader + from + "\r\n")
	for _, rcpt := range to {
		buf.WriteString(envToHeader + rcpt + "\r\n")
	}
	buf.Write(raw)
	return buf.Bytes()
}

// splitEnvelope strips the envelope header lines written by joinEnvelope (one
// From line followed by To lines) and returns them with the original message.
// Data without a leading From line is returned unchanged with ok false.
func splitEnvelope(data []byte) (from string, to []string, ok bool, raw []byte) {
	line, rest, found := bytes.Cut(data, []byte("\n"))
	if !found || !bytes.HasPrefix(line, []byte(envFromHeader)) {
		return "", nil, false, data
	}
	from = string(bytes.TrimSuffix(line[len(envFromHeader):], []byte("\r")))
	raw = rest
	for {
		line, rest, found := bytes.Cut(raw, []byte("\n"))
		if !found || !bytes.HasPrefix(line, []byte(envToHeader)) {
			return from, to, true, raw
		}
		to = append(to, string(bytes.TrimSuffix(line[len(envToHeader):], []byte("\r"))))
		raw = rest
	}
}

// writeFileAtomic writes data to a temporary file in the target directory,
// syncs it and renames it into place.
func writeFileAtomic(path string, data []byte) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), ".mailsink-*.tmp")
	if err != nil {
		return fmt.Errorf("create temp file: %w", err)
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}()
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", f.Name(), err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", f.Name(), err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", f.Name(), err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("rename to %s: %w", path, err)
	}
	return nil
}
