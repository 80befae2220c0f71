package openai

import "github.com/llmux/llm"

type (
	organizationKey struct{}
	projectKey      struct{}
)

// WithOrganization sets the OpenAI-Organization header: the organization
// the call is billed to. It overrides the Spec's OrganizationEnv variable
// (OPENAI_ORGANIZATION for OpenAI). Every API this package serves sends it
// when it is set.
func WithOrganization(org string) llm.Option { return llm.WithValue(organizationKey{}, org) }

// WithProject sets the OpenAI-Project header: the project the call belongs
// to. It overrides the Spec's ProjectEnv variable (OPENAI_PROJECT for
// OpenAI). Every API this package serves sends it when it is set.
func WithProject(project string) llm.Option { return llm.WithValue(projectKey{}, project) }

// stringValue returns the string option stored under key, or "".
func stringValue(cfg *llm.Config, key any) string {
	s, _ := cfg.Value(key).(string)
	return s
}
