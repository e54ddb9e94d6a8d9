package trailscraper

import "time"

// LogFile is one CloudTrail log file as CloudTrail delivers it:
// ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHMMZ_UNIQUE.json.gz.
type LogFile struct {
	Path      string
	Account   string
	Region    string
	Timestamp time.Time // the delivery time in the file name
}

// NewLogFile returns the LogFile at path, or an error when its base name is not a valid
// CloudTrail log file name.
//
// CONTRACT (to be implemented).
func NewLogFile(path string) (*LogFile, error) { return &LogFile{Path: path}, nil }
