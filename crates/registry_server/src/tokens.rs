//! `tokens create|list|revoke`: service tokens of one org (`--org`, default `default`) through
//! the registry's use cases, as the platform admin.

use crate::cli::{Settings, TokensCommand};
use crate::{config, wiring};
use registry_domain::{OrgSlug, PageRequest, Principal, ServiceTokenId};
use registry_ports::ErrorChain;
use registry_usecases::Registry;
use registry_usecases::{CreateServiceTokenInput, ServiceTokenKind};

/// Runs one token action and prints its result on stdout.
pub async fn run(settings: &Settings, action: TokensCommand) -> Result<(), String> {
    let url = config::database_url(settings)?;
    let secret = config::key_hash_secret(settings)?;
    let registry = wiring::cli_registry(&url, secret);
    let admin = Principal::Admin;
    match action {
        TokensCommand::Create { name, kind, org } => {
            let kind = ServiceTokenKind::parse(&kind).map_err(|e| e.to_string())?;
            let registry = in_org(&registry, &org).await?;
            let input = CreateServiceTokenInput {
                name,
                kind,
                org: None,
            };
            let created = registry
                .create_service_token(&admin, input)
                .await
                .map_err(|e| ErrorChain(&e).to_string())?;
            println!("id:        {}", created.token.id);
            println!("principal: {}", created.token.principal);
            println!("org:       {}", created.org.slug);
            println!("token:     {}", created.secret);
            println!("(the token is shown once; store it now)");
        }
        TokensCommand::List { org } => {
            let registry = in_org(&registry, &org).await?;
            println!(
                "{:<36}  {:<24}  {:<32}  created_at",
                "id", "name", "principal"
            );
            // Every token, page by page.
            let mut tokens = Vec::new();
            for number in 1.. {
                let page = PageRequest::new(Some(1000), Some(number)).map_err(|e| e.to_string())?;
                let page = registry
                    .list_service_tokens(&admin, page)
                    .await
                    .map_err(|e| ErrorChain(&e).to_string())?;
                let last = page.items.len() < 1000;
                tokens.extend(page.items);
                if last {
                    break;
                }
            }
            for t in tokens {
                println!(
                    "{:<36}  {:<24}  {:<32}  {}",
                    t.id,
                    t.name,
                    t.principal.to_string(),
                    t.created_at
                        .format(&time::format_description::well_known::Rfc3339)
                        .unwrap_or_default()
                );
            }
        }
        TokensCommand::Revoke { id, org } => {
            let registry = in_org(&registry, &org).await?;
            let id = ServiceTokenId::parse(&id, "id").map_err(|e| e.to_string())?;
            let token = registry
                .revoke_service_token(&admin, id)
                .await
                .map_err(|e| ErrorChain(&e).to_string())?;
            println!("revoked {} ({})", token.id, token.principal);
        }
    }
    Ok(())
}

/// The registry acting in the org named `slug` (an unknown org is an error).
async fn in_org(registry: &Registry, slug: &str) -> Result<Registry, String> {
    let slug = OrgSlug::parse(slug, "--org").map_err(|e| e.to_string())?;
    let org = registry
        .find_org(&slug)
        .await
        .map_err(|e| ErrorChain(&e).to_string())?
        .ok_or_else(|| format!("no org has the slug {slug}"))?;
    Ok(registry.in_org(&org))
}
