package engine

import (
	"encoding/json"
	"unicode/utf8"
)

// The query result arrives as Go values (rego's ast.JSON form). Decoding it
// used to be json.Marshal of the whole binding and json.Unmarshal per rule:
// on the XL tenant a tenth of the scan. The direct decoders below handle
// the shape the rules produce; anything else (a missing or null field, an
// unknown or differently cased member, a non-string, invalid UTF-8) takes
// the JSON round trip, so results and error messages are those of
// encoding/json in every case.

// directResults decodes one rule's results, ok=false when it must take the
// JSON round trip.
func directResults(v any) ([]rawResult, bool) {
	items, ok := v.([]any)
	if !ok {
		return nil, false
	}
	out := make([]rawResult, len(items))
	for i, it := range items {
		obj, ok := it.(map[string]any)
		if !ok {
			return nil, false
		}
		r := &out[i]
		for k, fv := range obj {
			switch k {
			case "status":
				r.Status, ok = directString(fv)
			case "message":
				r.Message, ok = directString(fv)
			case "key":
				r.Key, ok = directString(fv)
			case "resource":
				r.Resource, ok = directRef(fv)
			case "subject":
				r.Subject, ok = directRef(fv)
			default:
				ok = false
			}
			if !ok {
				return nil, false
			}
		}
	}
	return out, true
}

// directTargets decodes one resource kind's enumeration.
func directTargets(v any) ([]target, bool) {
	items, ok := v.([]any)
	if !ok {
		return nil, false
	}
	out := make([]target, len(items))
	for i, it := range items {
		obj, ok := it.(map[string]any)
		if !ok {
			return nil, false
		}
		t := &out[i]
		for k, fv := range obj {
			switch k {
			case "resource":
				t.Resource, ok = directRef(fv)
			case "subject":
				t.Subject, ok = directRef(fv)
			default:
				ok = false
			}
			if !ok {
				return nil, false
			}
		}
	}
	return out, true
}

func directRef(v any) (*Ref, bool) {
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, false
	}
	r := &Ref{}
	for k, fv := range obj {
		switch k {
		case "type":
			r.Type, ok = directString(fv)
		case "id":
			r.ID, ok = directString(fv)
		case "name":
			r.Name, ok = directString(fv)
		default:
			ok = false
		}
		if !ok {
			return nil, false
		}
	}
	return r, true
}

func directString(v any) (string, bool) {
	s, ok := v.(string)
	return s, ok && utf8.ValidString(s)
}

// decodeDirect is decodeRoundTrip without the round trip where the
// result has the expected shape; handled=false leaves ev untouched for
// decodeRoundTrip.
func (ev *evaluation) decodeDirect(binding any, rules []*Rule) (handled bool, err error) {
	out, ok := binding.(map[string]any)
	if !ok {
		return false, nil
	}
	var ruleValues, resources map[string]any
	for k, v := range out {
		switch k {
		case "rules":
			ruleValues, ok = v.(map[string]any)
		case "resources":
			resources, ok = v.(map[string]any)
		default:
			ok = false
		}
		if !ok {
			return false, nil
		}
	}
	for _, rule := range rules {
		v, present := ruleValues[rule.ID]
		if results, ok := directResults(v); present && ok {
			ev.rules[rule.ID] = results
			continue
		}
		var raw json.RawMessage
		if present {
			if raw, err = json.Marshal(v); err != nil {
				return true, err
			}
		}
		ev.addRule(rule, raw)
	}
	for kind, v := range resources {
		if targets, ok := directTargets(v); ok {
			ev.resources[kind] = targets
			continue
		}
		raw, err := json.Marshal(v)
		if err != nil {
			return true, err
		}
		ev.addResources(kind, raw)
	}
	return true, nil
}
