package main

import (
	"github.com/spf13/cobra"
)

// newCompletionCmd replaces cobra's default completion command (same
// scripts, from cobra's generators) so that it has an example and the
// exit codes of every other command.
func newCompletionCmd() *cobra.Command {
	var noDesc bool
	shells := []string{"bash", "zsh", "fish", "powershell"}
	cmd := &cobra.Command{
		Use:   "completion bash|zsh|fish|powershell",
		Short: "Print a shell completion script",
		Long: `Print the completion script for a shell: commands, flags and file names
complete with Tab.

  bash        needs the bash-completion package
  zsh         needs compinit ("autoload -U compinit; compinit" in ~/.zshrc)
  fish, powershell: no prerequisites`,
		Example: `  source <(breakglass completion bash)                      # this shell only
  breakglass completion bash > /etc/bash_completion.d/breakglass
  breakglass completion zsh > "${fpath[1]}/_breakglass"
  breakglass completion fish > ~/.config/fish/completions/breakglass.fish
  breakglass completion powershell | Out-String | Invoke-Expression`,
		ValidArgs:             shells,
		DisableFlagsInUseLine: true,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError("completion needs one shell: bash, zsh, fish or powershell (e.g. breakglass completion bash)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			root, w := cmd.Root(), cmd.OutOrStdout()
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(w, !noDesc)
			case "zsh":
				if noDesc {
					return root.GenZshCompletionNoDesc(w)
				}
				return root.GenZshCompletion(w)
			case "fish":
				return root.GenFishCompletion(w, !noDesc)
			case "powershell":
				if noDesc {
					return root.GenPowerShellCompletion(w)
				}
				return root.GenPowerShellCompletionWithDesc(w)
			}
			return usageError("completion %q: unknown shell; use bash, zsh, fish or powershell", args[0])
		},
	}
	cmd.Flags().BoolVar(&noDesc, "no-descriptions", false, "complete without the one-line descriptions")
	return cmd
}
