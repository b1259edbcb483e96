package pedigree

import "github.com/prometheus/client_golang/prometheus"

// Collector reports the graph's Stats as reptidex_pedigree_* metrics.
func (g *Graph) Collector() prometheus.Collector { return collector{g} }

type collector struct{ g *Graph }

var (
	readyDesc    = desc("ready", "1 while the graph is loaded and in step with the database, else 0 (pedigrees are read from the database).")
	animalsDesc  = desc("animals", "Animals in the graph.")
	bytesDesc    = desc("bytes", "Memory the graph holds.")
	loadsDesc    = desc("loads_total", "Completed loads of the whole graph: the first and one after every lost connection.")
	loadDesc     = desc("last_load_seconds", "How long the last load took, catching up included.")
	changesDesc  = desc("changes_total", "Changes of parents and organization names applied from notifications.")
	lookupsDesc  = prometheus.NewDesc("reptidex_pedigree_lookups_total", "Pedigree lookups, by whether the graph answered (hit) or left them to the database (miss).", []string{"result"}, nil)
	collectDescs = []*prometheus.Desc{readyDesc, animalsDesc, bytesDesc, loadsDesc, loadDesc, changesDesc, lookupsDesc}
)

func desc(name, help string) *prometheus.Desc {
	return prometheus.NewDesc("reptidex_pedigree_"+name, help, nil, nil)
}

func (c collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range collectDescs {
		ch <- d
	}
}

func (c collector) Collect(ch chan<- prometheus.Metric) {
	s := c.g.Stats()
	ready := 0.0
	if s.Ready {
		ready = 1
	}
	ch <- prometheus.MustNewConstMetric(readyDesc, prometheus.GaugeValue, ready)
	ch <- prometheus.MustNewConstMetric(animalsDesc, prometheus.GaugeValue, float64(s.Animals))
	ch <- prometheus.MustNewConstMetric(bytesDesc, prometheus.GaugeValue, float64(s.Bytes))
	ch <- prometheus.MustNewConstMetric(loadsDesc, prometheus.CounterValue, float64(s.Loads))
	ch <- prometheus.MustNewConstMetric(loadDesc, prometheus.GaugeValue, s.LastLoad.Seconds())
	ch <- prometheus.MustNewConstMetric(changesDesc, prometheus.CounterValue, float64(s.Changes))
	ch <- prometheus.MustNewConstMetric(lookupsDesc, prometheus.CounterValue, float64(s.Hits), "hit")
	ch <- prometheus.MustNewConstMetric(lookupsDesc, prometheus.CounterValue, float64(s.Misses), "miss")
}
