// Package onboarding is the process that prepares a newly registered organization: it
// records the organization as provisioned and has the owner welcomed by email.
//
// Its parts, one file each: the contract (this file), the workflow (workflow.go), the
// client the jobs reach it by (client.go), and the activity it needs (activities.go).
package onboarding

import "github.com/google/uuid"

// WorkflowName is the registered name of the onboarding workflow.
const WorkflowName = "onboarding"

// ProvisionActivity is the registered name of the activity that provisions the organization.
const ProvisionActivity = "onboarding.provision"

// Input names the organization to onboard.
type Input struct {
	OrgID       uuid.UUID
	OwnerUserID uuid.UUID
}

// same reports whether in and o name the same organization and owner.
func (in Input) same(o Input) bool { return in == o }

// Result says what onboarding did.
type Result struct {
	// Provisioned is false when an earlier run had already provisioned the organization.
	Provisioned bool
}

// WorkflowID derives the workflow ID from the organization, so one organization has one
// onboarding.
func WorkflowID(orgID uuid.UUID) string { return "onboarding/" + orgID.String() }

// ErrTypeNotFound is the application error type of an activity that found no organization.
const ErrTypeNotFound = "OrganizationNotFound"
