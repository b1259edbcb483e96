//go:build unix

// The budget's time is checked against the CPU time a certificate costs the process (every
// thread, its garbage collection included), read with getrusage, which Unix systems have:
// wall time alone would fail the budget whenever other work shares the machine.

package render_test

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/media"
	"github.com/reptidex/reptidex/render"
)

// Budgets of a certificate's rendering (issue "Certificates and media"): each under 10 ms,
// under 100 KB without a photo and under 300 KB with one.
const (
	certificateBudgetNs       = 10e6
	certificateBudgetBytes    = 100 << 10
	certificatePhotoBudgetMax = 300 << 10
)

// benchCertificate is a certificate as the workflow prints it: four generations, every
// ancestor known, the longest fields real data has.
func benchCertificate(photo []byte) render.Certificate {
	coi := 0.0625
	return render.Certificate{Serial: "7KQ2-M9XD-4TJ8-R", VerifyURL: "https://reptidex.example/verify/7KQ2-M9XD-4TJ8-R",
		IssuedAt: drawnOn, COI: &coi, Chart: chartOf(fullPedigree(4, "Orion", none, none), 4),
		KeyID: "3f9c0a1b2c3d4e5f", SHA256: strings.Repeat("ab", 32), Photo: photo}
}

// thumbnailPhoto is a photo as media stores its thumbnail, which the certificate prints: a
// JPEG of quality 80, media.ThumbnailSide wide and three quarters as high, of a textured
// subject (scales over a gradient, with sensor noise) that compresses like a real photograph
// rather than like a flat test card.
func thumbnailPhoto(tb testing.TB) []byte {
	tb.Helper()
	w, h := media.ThumbnailSide, media.ThumbnailSide*3/4
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	rnd := rand.New(rand.NewPCG(1, 2))
	for y := range h {
		for x := range w {
			scale := 0.5 + 0.5*math.Sin(float64(x)/3.1+math.Sin(float64(y)/4.7)*2)*math.Cos(float64(y)/2.9)
			noise := rnd.Float64()*40 - 20
			shade := func(base, span float64) uint8 {
				return uint8(math.Max(0, math.Min(255, base+span*scale+noise+float64(x+y)/8)))
			}
			img.Set(x, y, color.RGBA{shade(90, 110), shade(70, 80), shade(40, 60), 255})
		}
	}
	var buf bytes.Buffer
	require.NoError(tb, jpeg.Encode(&buf, img, &jpeg.Options{Quality: 80}))
	return buf.Bytes()
}

// cpuTime is the CPU time the process has used so far, user and system, on every thread.
func cpuTime(tb testing.TB) time.Duration {
	tb.Helper()
	var ru syscall.Rusage
	require.NoError(tb, syscall.Getrusage(syscall.RUSAGE_SELF, &ru))
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkCertificatePDF renders a certificate without and with the animal's photo and
// reports each PDF's size; a run past the budgets fails.
func BenchmarkCertificatePDF(b *testing.B) {
	for _, bc := range []struct {
		name   string
		photo  []byte
		budget int
	}{
		{"no_photo", nil, certificateBudgetBytes},
		{"photo", thumbnailPhoto(b), certificatePhotoBudgetMax},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c := benchCertificate(bc.photo)
			var size int
			b.ReportAllocs()
			cpu0 := cpuTime(b)
			for b.Loop() {
				pdf, err := render.CertificatePDF(c)
				if err != nil {
					b.Fatal(err)
				}
				size = len(pdf)
			}
			cpu := float64(cpuTime(b)-cpu0) / float64(b.N)
			b.ReportMetric(float64(size), "bytes/cert")
			b.ReportMetric(cpu/1e6, "cpu-ms/cert")
			if len(bc.photo) > 0 {
				b.ReportMetric(float64(len(bc.photo)), "photo-bytes")
			}
			if size >= bc.budget {
				b.Errorf("a certificate is %d bytes, over its budget of %d", size, bc.budget)
			}
			if cpu >= certificateBudgetNs {
				b.Errorf("a certificate takes %.1f ms of CPU to render, over its budget of 10 ms", cpu/1e6)
			}
		})
	}
}
