package main

import (
	"fmt"
	"io"

	"github.com/bitsim/bitsim/render"
	"github.com/bitsim/bitsim/trace"
)

// axisFlag adds --axis to a command that can draw HTML.
func axisFlag(c *command) *string {
	return c.flags.String("axis", "events", "the HTML timeline's horizontal `axis`: events (trace order) or time (virtual time: one instant, one x)")
}

// withAxis applies --axis to the drawing function of --format: the HTML
// timeline on the chosen axis. Another axis than the default with another
// format is an error, not silently ignored.
func withAxis(draw func(io.Writer, []trace.Record) error, format, axis string) (func(io.Writer, []trace.Record) error, error) {
	ax, err := render.ParseAxis(axis)
	if err != nil {
		return nil, fmt.Errorf("--axis %s: want events or time", quote(axis))
	}
	if format != "html" {
		if ax != render.AxisEvents {
			return nil, fmt.Errorf("--axis applies to --format html only")
		}
		return draw, nil
	}
	return func(w io.Writer, recs []trace.Record) error {
		return render.HTMLWith(w, recs, render.HTMLOptions{Axis: ax})
	}, nil
}
