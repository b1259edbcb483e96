package pedigree

// ListenerName is the application_name of g's listening connection, for tests that cut it.
func ListenerName(g *Graph) string { return g.applicationName() }
