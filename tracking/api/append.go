package api

import (
	"encoding/json"
	"strconv"
)

// AppendMetrics appends the JSON of a list of metric points to b, byte for
// byte as encoding/json writes []Metric, without its reflection: a metric
// history of 10,000 points is the largest answer a server writes often.
func AppendMetrics(b []byte, ms []Metric) []byte {
	b = append(b, '[')
	for i, m := range ms {
		if i > 0 {
			b = append(b, ',')
		}
		b = AppendMetric(b, m)
	}
	return append(b, ']')
}

// AppendMetric appends the JSON of one metric point to b, as AppendMetrics
// writes each.
func AppendMetric(b []byte, m Metric) []byte {
	b = append(b, `{"key":`...)
	b = appendString(b, m.Key)
	b = append(b, `,"value":`...)
	v, _ := m.Value.MarshalJSON()
	b = append(b, v...)
	b = append(b, `,"timestamp":`...)
	b = strconv.AppendInt(b, int64(m.Timestamp), 10)
	b = append(b, `,"step":`...)
	b = strconv.AppendInt(b, int64(m.Step), 10)
	for _, f := range [...]struct{ name, v string }{
		{`,"model_id":`, m.ModelID}, {`,"dataset_name":`, m.DatasetName},
		{`,"dataset_digest":`, m.DatasetDigest}, {`,"run_id":`, m.RunID},
	} {
		if f.v != "" {
			b = append(b, f.name...)
			b = appendString(b, f.v)
		}
	}
	return append(b, '}')
}

// appendString appends s as a JSON string, escaped as encoding/json
// escapes it.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
