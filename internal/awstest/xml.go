package awstest

import (
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
)

// route53NS is the XML namespace of the Route 53 2013-04-01 API.
const route53NS = "https://route53.amazonaws.com/doc/2013-04-01/"

// rawElement keeps an XML element the shim does not interpret, so it passes
// through a decode and encode unchanged.
type rawElement struct {
	XMLName xml.Name
	Inner   string `xml:",innerxml"`
}

type hostedZone struct {
	ID                     string      `xml:"Id"`
	Name                   string      `xml:"Name"`
	CallerReference        string      `xml:"CallerReference"`
	Config                 *zoneConfig `xml:"Config,omitempty"`
	ResourceRecordSetCount int64       `xml:"ResourceRecordSetCount"`
}

type zoneConfig struct {
	Comment     string `xml:"Comment,omitempty"`
	PrivateZone bool   `xml:"PrivateZone"`
}

type delegationSet struct {
	NameServers []string `xml:"NameServers>NameServer"`
}

type changeInfo struct {
	ID          string `xml:"Id"`
	Status      string `xml:"Status"`
	SubmittedAt string `xml:"SubmittedAt"`
	Comment     string `xml:"Comment,omitempty"`
}

type createZoneRequest struct {
	XMLName          xml.Name     `xml:"CreateHostedZoneRequest"`
	XMLNS            string       `xml:"xmlns,attr,omitempty"`
	Name             string       `xml:"Name"`
	CallerReference  string       `xml:"CallerReference"`
	HostedZoneConfig *zoneConfig  `xml:"HostedZoneConfig,omitempty"`
	Other            []rawElement `xml:",any"`
}

type createZoneResponse struct {
	XMLName       xml.Name      `xml:"CreateHostedZoneResponse"`
	XMLNS         string        `xml:"xmlns,attr"`
	HostedZone    hostedZone    `xml:"HostedZone"`
	ChangeInfo    changeInfo    `xml:"ChangeInfo"`
	DelegationSet delegationSet `xml:"DelegationSet"`
}

type getZoneResponse struct {
	XMLName       xml.Name      `xml:"GetHostedZoneResponse"`
	HostedZone    hostedZone    `xml:"HostedZone"`
	DelegationSet delegationSet `xml:"DelegationSet"`
}

type listZonesResponse struct {
	XMLName     xml.Name     `xml:"ListHostedZonesResponse"`
	XMLNS       string       `xml:"xmlns,attr"`
	HostedZones []hostedZone `xml:"HostedZones>HostedZone"`
	Marker      string       `xml:"Marker"`
	IsTruncated bool         `xml:"IsTruncated"`
	NextMarker  string       `xml:"NextMarker,omitempty"`
	MaxItems    int          `xml:"MaxItems"`
}

type listZonesByNameResponse struct {
	XMLName          xml.Name     `xml:"ListHostedZonesByNameResponse"`
	XMLNS            string       `xml:"xmlns,attr"`
	HostedZones      []hostedZone `xml:"HostedZones>HostedZone"`
	DNSName          string       `xml:"DNSName,omitempty"`
	HostedZoneID     string       `xml:"HostedZoneId,omitempty"`
	IsTruncated      bool         `xml:"IsTruncated"`
	NextDNSName      string       `xml:"NextDNSName,omitempty"`
	NextHostedZoneID string       `xml:"NextHostedZoneId,omitempty"`
	MaxItems         int          `xml:"MaxItems"`
}

type zoneCountResponse struct {
	XMLName         xml.Name `xml:"GetHostedZoneCountResponse"`
	XMLNS           string   `xml:"xmlns,attr"`
	HostedZoneCount int      `xml:"HostedZoneCount"`
}

// rrset is a resource record set with the fields kumo keeps; any other
// element of a request passes through in Other.
type rrset struct {
	Name             string       `xml:"Name"`
	Type             string       `xml:"Type"`
	SetIdentifier    string       `xml:"SetIdentifier,omitempty"`
	Weight           *int64       `xml:"Weight,omitempty"`
	Region           string       `xml:"Region,omitempty"`
	Failover         string       `xml:"Failover,omitempty"`
	MultiValueAnswer *bool        `xml:"MultiValueAnswer,omitempty"`
	TTL              *int64       `xml:"TTL,omitempty"`
	Records          []rrValue    `xml:"ResourceRecords>ResourceRecord,omitempty"`
	AliasTarget      *aliasTarget `xml:"AliasTarget,omitempty"`
	HealthCheckID    string       `xml:"HealthCheckId,omitempty"`
	Other            []rawElement `xml:",any"`
}

type rrValue struct {
	Value string `xml:"Value"`
}

type aliasTarget struct {
	HostedZoneID         string `xml:"HostedZoneId"`
	DNSName              string `xml:"DNSName"`
	EvaluateTargetHealth bool   `xml:"EvaluateTargetHealth"`
}

type change struct {
	Action            string `xml:"Action"`
	ResourceRecordSet rrset  `xml:"ResourceRecordSet"`
}

type changeBatch struct {
	Comment string   `xml:"Comment,omitempty"`
	Changes []change `xml:"Changes>Change"`
}

type changeRequest struct {
	XMLName     xml.Name    `xml:"ChangeResourceRecordSetsRequest"`
	XMLNS       string      `xml:"xmlns,attr,omitempty"`
	ChangeBatch changeBatch `xml:"ChangeBatch"`
}

type listRecordsResponse struct {
	XMLName              xml.Name `xml:"ListResourceRecordSetsResponse"`
	XMLNS                string   `xml:"xmlns,attr"`
	ResourceRecordSets   []rrset  `xml:"ResourceRecordSets>ResourceRecordSet"`
	IsTruncated          bool     `xml:"IsTruncated"`
	NextRecordName       string   `xml:"NextRecordName,omitempty"`
	NextRecordType       string   `xml:"NextRecordType,omitempty"`
	NextRecordIdentifier string   `xml:"NextRecordIdentifier,omitempty"`
	MaxItems             int      `xml:"MaxItems"`
}

type errorResponse struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	XMLNS   string   `xml:"xmlns,attr"`
	Error   struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	} `xml:"Error"`
	RequestID string `xml:"RequestId"`
}

type invalidChangeBatchResponse struct {
	XMLName   xml.Name `xml:"InvalidChangeBatch"`
	XMLNS     string   `xml:"xmlns,attr"`
	Messages  []string `xml:"Messages>Message"`
	RequestID string   `xml:"RequestId"`
}

var requestSeq atomic.Uint64

// newRequestID returns a request ID unique within the process.
func newRequestID() string {
	return fmt.Sprintf("plumb-shim-%08d", requestSeq.Add(1))
}

// writeXML answers with status and v encoded as XML, as Route 53 does.
func writeXML(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "text/xml")
	if w.Header().Get("X-Amzn-Requestid") == "" {
		w.Header().Set("X-Amzn-Requestid", newRequestID())
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, xml.Header)
	_ = xml.NewEncoder(w).Encode(v)
}

// writeError answers with Route 53's error document: an ErrorResponse
// holding the error code and message, sent by the caller ("Sender").
func writeError(w http.ResponseWriter, status int, code, message string) {
	e := errorResponse{XMLNS: route53NS, RequestID: newRequestID()}
	e.Error.Type = "Sender"
	e.Error.Code = code
	e.Error.Message = message
	w.Header().Set("X-Amzn-Requestid", e.RequestID)
	writeXML(w, status, e)
}

// writeInvalidChangeBatch answers with Route 53's InvalidChangeBatch
// document (HTTP 400), which lists one message per rejected change.
func writeInvalidChangeBatch(w http.ResponseWriter, messages []string) {
	e := invalidChangeBatchResponse{XMLNS: route53NS, Messages: messages, RequestID: newRequestID()}
	w.Header().Set("X-Amzn-Requestid", e.RequestID)
	writeXML(w, http.StatusBadRequest, e)
}
