import LeadLifecycle
print(Playbook.builtIn.name)
