use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    api::startup::install_tls_provider();
    let cli = api::cli::Cli::parse();
    match api::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("innovation-hub: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
