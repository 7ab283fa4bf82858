package report

import (
	"encoding/xml"
	"fmt"
	"io"

	"github.com/breakglass-dev/breakglass/policies/engine"
)

// JUnit renders one test suite per rule and one test case per result, so
// CI systems that read JUnit show break-glass findings as failing tests.
type JUnit struct{}

var _ Writer = JUnit{}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Error     *junitMessage `xml:"error,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Body    string `xml:",chardata"`
}

func (JUnit) Write(w io.Writer, r *Report) error {
	root := junitSuites{Name: "breakglass", Suites: []junitSuite{}}
	byRule := map[string]int{}
	for _, rule := range r.Rules {
		byRule[rule.ID] = len(root.Suites)
		root.Suites = append(root.Suites, junitSuite{Name: printable(fmt.Sprintf("%s %s", rule.ID, rule.Title)), Cases: []junitCase{}})
	}
	for _, res := range r.Results {
		i, ok := byRule[res.RuleID]
		if !ok {
			continue
		}
		s := &root.Suites[i]
		name := describe(res.Resource)
		if res.Subject != nil {
			name += " / " + describe(*res.Subject)
		}
		// Tenant text is made printable: XML 1.0 cannot carry most control
		// characters at all, and bidi controls would reorder what CI shows.
		message := printable(res.Message)
		c := junitCase{Name: printable(name), Classname: printable(res.RuleID)}
		msg := &junitMessage{Message: message, Type: res.Severity, Body: message}
		switch res.Status {
		case engine.StatusFail:
			c.Failure, s.Failures = msg, s.Failures+1
		case engine.StatusError:
			c.Error, s.Errors = msg, s.Errors+1
		case engine.StatusManual, engine.StatusNotApplicable, engine.StatusWaived:
			c.Skipped, s.Skipped = &junitMessage{Message: res.Status + ": " + message}, s.Skipped+1
		}
		s.Cases = append(s.Cases, c)
		s.Tests++
	}
	for _, s := range root.Suites {
		root.Tests += s.Tests
		root.Failures += s.Failures
		root.Errors += s.Errors
		root.Skipped += s.Skipped
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(root); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
