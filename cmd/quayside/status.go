package main

type statusCmd struct {
	JSON bool `help:"Print JSON."`
}

func (c *statusCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	st, err := cl.Status(g.ctx)
	if err != nil {
		return err
	}
	if c.JSON {
		return printJSON(st)
	}
	w := table("Version:", st.Version)
	row(w, "Domain:", st.Domain)
	row(w, "Push to:", st.GitURL+"<app>")
	row(w, "Docker label:", "io.quayside.instance="+st.Instance)
	return w.Flush()
}
